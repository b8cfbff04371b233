import { HubError } from '../hub-client.js';
import type { ConversationView, Instance, LogLineView, MetricSeries } from '../hub-types.js';
import { DEFAULT_INCIDENT_POLICY } from './incident-policy.js';
import { deadChannelFinding, memoryLeakFinding, providerAuthFinding, spendRunawayFinding } from './incident-rules.js';
import { fromProposal, type PassDeps, report } from './pass-shared.js';
import type { Finding, RestartAction } from './policy.js';
import { decideRestart } from './rules.js';

const iso = (ms: number) => new Date(ms).toISOString();
const errText = (e: unknown) => (e instanceof HubError ? e.message : `unexpected: ${(e as Error).message}`);

/** A read that fails leaves its rule out of this pass (the others still run). */
async function read<T>(f: () => Promise<T>, errors: string[], what: string): Promise<T | null> {
  try {
    return await f();
  } catch (e) {
    errors.push(`${what}: ${errText(e)}`);
    return null;
  }
}

/**
 * The incident rules for one connected instance: the provider refusing the key (error lines), a
 * channel down while the gateway is up, a memory leak (trend), runaway token spend (conversations).
 * Each finding is posted once per cooldown; a leak gets a restart proposal and a runaway spend an
 * `agent.pause` proposal, which the hub's policy runs or holds for an admin.
 */
export async function checkIncidents(
  d: PassDeps,
  i: Instance,
  runId: string | null,
  now: number,
  readErrors: string[] = [],
): Promise<Finding[]> {
  if (i.status !== 'online' && i.status !== 'error') return [];
  const p = d.incidents ?? DEFAULT_INCIDENT_POLICY;
  const errors: string[] = [];
  const up = !!i.openclaw?.up;
  const [lines, memory, messages] = await Promise.all([
    up
      ? read<LogLineView[]>(
          () =>
            d.hub.logs(i.id, {
              from: iso(now - p.authWindowSec * 1000),
              to: iso(now + 1000),
              level: 'warn',
              limit: 500,
            }),
          errors,
          'logs',
        )
      : null,
    read<MetricSeries>(
      () =>
        d.hub.metrics(i.id, {
          name: 'memory',
          from: iso(now - p.memoryWindowSec * 1000),
          to: iso(now + 1000),
          step: `${p.memoryStepSec}s`,
        }),
      errors,
      'metrics',
    ),
    up && !i.openclaw?.paused
      ? read<ConversationView[]>(
          () =>
            d.hub.conversations(i.id, {
              from: iso(now - (p.spendRecentSec + p.spendBaselineSec) * 1000),
              to: iso(now + 1000),
              limit: 2000,
            }),
          errors,
          'conversations',
        )
      : null,
  ]);
  const out: Finding[] = [];
  const auth = lines && providerAuthFinding(i, lines, p, now);
  if (auth) out.push(auth);
  const channel = deadChannelFinding(i, p);
  if (channel) out.push(channel);
  const leak = memory && memoryLeakFinding(i, memory.points, p, d.policy.memoryPct);
  if (leak) out.push(leak);
  const spend = messages && spendRunawayFinding(i, messages, p, now);
  if (spend) out.push(spend);
  for (const e of errors) readErrors.push(`${i.hostname}: ${e}`);
  if (d.policy.dryRun) {
    if (leak) leak.action = { type: 'openclaw.restart', decision: 'would_issue', detail: 'memory leak' };
    if (spend) spend.action = { type: 'agent.pause', decision: 'would_issue', detail: 'runaway spend' };
    return out;
  }
  for (const f of out) await report(d, f, runId, now);
  if (leak) await proposeRestart(d, i, leak, runId, now);
  if (spend) await proposePause(d, i, spend, runId, now);
  return out;
}

/** A restart for a leak, unless one is running or was made within the cooldown (anyone's). */
async function proposeRestart(d: PassDeps, i: Instance, f: Finding, runId: string | null, now: number): Promise<void> {
  const act = (a: Omit<RestartAction, 'type'>): RestartAction => ({ type: 'openclaw.restart', ...a });
  try {
    const history = await d.hub.listCommands(i.id, { type: 'openclaw.restart', limit: 20 });
    const { restart, ...decision } = decideRestart({ now, downSince: 0, history, policy: d.policy });
    f.action = act(decision);
    if (!restart) return;
    f.action = act(
      await propose(d, i, f, runId, now, 'openclaw.restart', {
        title: `Restart OpenClaw on ${i.hostname} (memory leak)`,
        expectedEffect: 'OpenClaw gives its memory back; memory use drops to its usual level',
        risk: 'low',
      }),
    );
  } catch (e) {
    f.action = act({ decision: 'error', detail: errText(e) });
  }
}

/**
 * A pause for a runaway spend: the hub holds it for an admin unless its policy says otherwise. One
 * at a time: not while a pause proposal still waits for its admin, or a pause runs or just ran.
 */
async function proposePause(d: PassDeps, i: Instance, f: Finding, runId: string | null, now: number): Promise<void> {
  const held = await waitingPause(d, i, now).catch(
    (e): Omit<RestartAction, 'type'> => ({
      decision: 'error',
      detail: errText(e),
    }),
  );
  if (held) {
    f.action = { type: 'agent.pause', ...held };
    return;
  }
  const a = await propose(d, i, f, runId, now, 'agent.pause', {
    title: `Pause the agent on ${i.hostname} (runaway token spend)`,
    expectedEffect: 'the agent answers no one until resumed; token spend stops',
    risk: 'medium',
  }).catch((e): Omit<RestartAction, 'type'> => ({ decision: 'error', detail: errText(e) }));
  f.action = { type: 'agent.pause', ...a };
}

/** Why no new pause is proposed now (null: one may be). */
async function waitingPause(d: PassDeps, i: Instance, now: number): Promise<Omit<RestartAction, 'type'> | null> {
  const open = await d.hub.listProposals({ status: 'pending,approved,executing', limit: 100 });
  const mine = open.find((p) => p.commands.some((c) => c.instanceId === i.id && c.type === 'agent.pause'));
  if (mine) return { decision: 'proposed', proposalId: mine.id, detail: `pause proposal ${mine.id} is ${mine.status}` };
  const history = await d.hub.listCommands(i.id, { type: 'agent.pause', limit: 5 });
  const recent = history.find((c) => now - Date.parse(c.issuedAt) < d.policy.cooldownSec * 1000);
  if (recent)
    return {
      decision: 'cooldown',
      commandId: recent.id,
      detail: `pause ${recent.id} (${recent.status}) within the cooldown`,
    };
  return null;
}

async function propose(
  d: PassDeps,
  i: Instance,
  f: Finding,
  runId: string | null,
  now: number,
  type: RestartAction['type'],
  t: { title: string; expectedEffect: string; risk: 'low' | 'medium' },
): Promise<Omit<RestartAction, 'type'>> {
  // One key per instance, action and cooldown window: repeated passes make one proposal.
  const window = Math.floor(now / (Math.max(d.policy.cooldownSec, 1) * 1000));
  try {
    const p = await d.hub.propose({
      ...(runId ? { runId } : {}),
      ...(f.findingId ? { findingId: f.findingId } : {}),
      ...t,
      commands: [{ instanceId: i.id, type, params: {} }],
      reasoning: f.message,
      idempotencyKey: `${f.kind}-${type}-${i.id}-${window}`,
    });
    const commandId = p.outcomes[0]?.commandId;
    return {
      decision: fromProposal(p.status),
      proposalId: p.id,
      ...(commandId ? { commandId } : {}),
      detail: p.refusal ? `${p.refusal.code}: ${p.refusal.message}` : `proposal ${p.status}`,
    };
  } catch (e) {
    if (e instanceof HubError && e.code.startsWith('HUB_ERR_POLICY_'))
      return { decision: 'refused', detail: e.message };
    throw e;
  }
}
