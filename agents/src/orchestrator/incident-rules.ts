import type { CommandView, ConversationView, Instance, LogLineView } from '../hub-types.js';
import type { IncidentPolicy } from './incident-policy.js';
import type { Finding } from './policy.js';

const base = (i: Instance) => ({ instanceId: i.id, hostname: i.hostname, clientId: i.clientId });
const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * A crash loop: OpenClaw is down again although it was restarted `crashLoopRestarts` times
 * within the window. More restarts will not help; a person has to look (the finding says so and
 * the orchestrator stops restarting while the loop lasts).
 */
export function crashLoopFinding(i: Instance, history: CommandView[], p: IncidentPolicy, now: number): Finding | null {
  const since = now - p.crashLoopWindowSec * 1000;
  const recent = history.filter((c) => c.type === 'openclaw.restart' && Date.parse(c.issuedAt) >= since);
  if (recent.length < p.crashLoopRestarts) return null;
  return {
    ...base(i),
    kind: 'crash_loop',
    severity: 'critical',
    message: `OpenClaw is down again after ${recent.length} restarts within ${Math.round(p.crashLoopWindowSec / 60)} min: crash loop, needs a person (no further restarts)`,
    evidence: { restarts: recent.map((c) => ({ id: c.id, status: c.status, issuedAt: c.issuedAt })) },
  };
}

/** A log line that says the model provider refused the API key. */
const AUTH_FAILURE = /\b401\b|authentication_error|invalid[ _-]?(x-)?api[ _-]?key|api key (was )?revoked|unauthorized/i;

/**
 * The provider refuses the key: a burst of 401s in the gateway's error lines. A restart cannot
 * fix it; the key has to be replaced, so the finding names the key and nothing is proposed.
 */
export function providerAuthFinding(i: Instance, lines: LogLineView[], p: IncidentPolicy, now: number): Finding | null {
  const since = now - p.authWindowSec * 1000;
  // a channel's 401 is its own token (Telegram, Slack), not the model provider's key
  const hits = lines.filter(
    (l) => Date.parse(l.t) >= since && !l.subsystem.startsWith('gateway/channels/') && AUTH_FAILURE.test(l.msg),
  );
  if (hits.length < p.authFailures) return null;
  return {
    ...base(i),
    kind: 'provider_key_rejected',
    severity: 'critical',
    message: `the model provider refused the API key ${hits.length} times in ${Math.round(p.authWindowSec / 60) || 1} min (401): the key is revoked or wrong; replace it (Settings → provider key) and tell the client — a restart will not help`,
    evidence: {
      failures: hits.length,
      first: hits[0]?.t,
      sample: hits.slice(-3).map((l) => `${l.subsystem}: ${l.msg}`),
    },
  };
}

/**
 * Channels the gateway reports disconnected while it is up and has been for the grace period.
 * The gateway is fine, so a restart is not the answer: the channel needs its login or token.
 */
export function deadChannelFinding(i: Instance, p: IncidentPolicy): Finding | null {
  const oc = i.openclaw;
  if ((i.status !== 'online' && i.status !== 'error') || !oc?.up || oc.paused) return null;
  if (oc.uptimeMs !== undefined && oc.uptimeMs < p.channelGraceSec * 1000) return null;
  const dead = (oc.channels ?? []).filter((c) => c.enabled !== false && c.connected === false);
  if (dead.length === 0) return null;
  const names = dead.map((c) => `${c.id}${c.error ? ` (${c.error})` : ''}`).join(', ');
  return {
    ...base(i),
    kind: 'channel_down',
    severity: 'warning',
    message: `channel ${names} disconnected while the gateway is up: log the channel in again or renew its token (no restart needed)`,
    evidence: { channels: dead },
  };
}

/** Least-squares line through (t seconds, value): slope per second and R². */
export function linearFit(points: [number, number][]): { slope: number; r2: number } {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  if (sxx === 0) return { slope: 0, r2: 0 };
  const slope = sxy / sxx;
  return { slope, r2: syy === 0 ? 0 : (sxy * sxy) / (sxx * syy) };
}

/**
 * Memory rising steadily towards the threshold: a leak, found before it hits the limit. A restart
 * of OpenClaw gives the memory back, so it is the proposed action.
 */
export function memoryLeakFinding(
  i: Instance,
  points: [string, number][],
  p: IncidentPolicy,
  memoryPct: number,
): Finding | null {
  if (points.length < p.memoryMinPoints) return null;
  const t0 = Date.parse(points[0][0]);
  const xy = points.map(([t, v]) => [(Date.parse(t) - t0) / 1000, v] as [number, number]);
  const { slope, r2 } = linearFit(xy);
  const first = xy[0][1];
  const last = xy[xy.length - 1][1];
  if (slope <= 0 || r2 < p.memoryMinR2 || last - first < p.memoryMinRisePct) return null;
  const toLimit = last >= memoryPct ? 0 : (memoryPct - last) / slope;
  if (toLimit > p.memoryHorizonSec) return null;
  return {
    ...base(i),
    kind: 'memory_leak',
    severity: 'warning',
    message: `memory rising steadily: ${round1(first)} % → ${round1(last)} % (${round1(slope * 60)} points/min, R² ${round1(r2 * 100) / 100}); ${memoryPct} % in about ${Math.round(toLimit)} s`,
    evidence: { slopePerMin: slope * 60, r2, first, last, secondsToLimit: Math.round(toLimit) },
  };
}

/** Tokens of the assistant replies in [from, to). */
function tokensIn(messages: ConversationView[], from: number, to: number): { tokens: number; replies: number } {
  let tokens = 0;
  let replies = 0;
  for (const m of messages) {
    const t = Date.parse(m.t);
    if (m.role !== 'assistant' || t < from || t >= to) continue;
    tokens += (m.tokensIn || 0) + (m.tokensOut || 0);
    replies++;
  }
  return { tokens, replies };
}

/**
 * Token spend far above the instance's own recent baseline (a loop in a skill, a flood of
 * messages): pausing the agent stops the spend, and an admin decides (the hub's policy).
 */
export function spendRunawayFinding(
  i: Instance,
  messages: ConversationView[],
  p: IncidentPolicy,
  now: number,
): Finding | null {
  const recentFrom = now - p.spendRecentSec * 1000;
  const baseFrom = recentFrom - p.spendBaselineSec * 1000;
  const recent = tokensIn(messages, recentFrom, now + 1);
  const baseline = tokensIn(messages, baseFrom, recentFrom);
  if (baseline.replies < p.spendMinBaselineReplies || recent.tokens < p.spendMinTokens) return null;
  const recentRate = recent.tokens / p.spendRecentSec;
  const baseRate = Math.max(baseline.tokens / p.spendBaselineSec, 1e-9);
  const factor = recentRate / baseRate;
  if (factor < p.spendFactor) return null;
  return {
    ...base(i),
    kind: 'token_spend_runaway',
    severity: 'critical',
    message: `token spend ${Math.round(recentRate * 60)} tokens/min over the last ${Math.round(p.spendRecentSec)} s, ${round1(factor)}× its baseline (${Math.round(baseRate * 60)} tokens/min): pause the agent until someone looks`,
    evidence: {
      recentTokens: recent.tokens,
      recentReplies: recent.replies,
      baselineTokens: baseline.tokens,
      baselineReplies: baseline.replies,
      factor: round1(factor),
    },
  };
}
