import type { ChangeCheck } from '@deepsignal/protocol';
import type { CommandContext } from '../commands/types.js';
import { errorMessage } from '../errors.js';
import { listChannels, waitReady } from '../openclaw/ops.js';
import type { GatewayLike } from '../openclaw/types.js';
import { turnsOf } from './turns.js';

/** The session the canary talks in: its own, so it never lands in a client's conversation. */
export const CANARY_SESSION = 'agent:main:ds-health';
/** The fixed prompt of the canary turn. */
export const CANARY_PROMPT = 'Deep Signal health check: please answer with the single word OK.';

/** Bounds of the health check, from the command's params or defaults. */
export interface HealthBounds {
  /** How long the gateway may take to be ready (and connected) again. */
  readyMs: number;
  /** How long the canary turn may take to be answered. */
  canaryMs: number;
  /** How long every configured channel may take to be up again. */
  channelsMs: number;
}

/**
 * Sized for a busy 2-core server, not an idle one: there the first turn in the canary's fresh
 * session took 60-70 s and a restarted gateway was ready after ~100 s; with 45 s and 60 s a good
 * configuration (a new client's first config.apply) was rolled back, and the rollback's restart
 * kept the agent offline for minutes more. A broken model fails its turn with an error, not late.
 */
export const DEFAULT_BOUNDS: HealthBounds = { readyMs: 150_000, canaryMs: 120_000, channelsMs: 30_000 };

/** The bounds for a command: every step `checkSec` when its params give it, else the defaults. */
export function boundsOf(params: Record<string, unknown>): HealthBounds {
  const c = params.checkSec;
  return typeof c === 'number' ? { readyMs: c * 1000, canaryMs: c * 1000, channelsMs: c * 1000 } : DEFAULT_BOUNDS;
}

async function timed(name: string, fn: () => Promise<string | undefined>): Promise<ChangeCheck> {
  const t0 = Date.now();
  try {
    const detail = await fn();
    return { name, ok: true, ms: Date.now() - t0, ...(detail ? { detail: detail.slice(0, 500) } : {}) };
  } catch (e) {
    return { name, ok: false, ms: Date.now() - t0, detail: errorMessage(e).slice(0, 500) };
  }
}

/** One `/readyz` probe (no waiting). */
export async function readyNow(wsUrl: string): Promise<boolean> {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/readyz';
  try {
    const r = await fetch(u, { signal: AbortSignal.timeout(3000) });
    return r.ok && ((await r.json()) as { ready?: boolean }).ready === true;
  } catch {
    return false;
  }
}

/** One chat turn through the gateway; resolves with the answer's text, rejects on error or timeout. */
export function chatTurn(gw: GatewayLike, sessionKey: string, message: string, timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let runId: string | undefined;
    let text = '';
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const onEvent = (name: string, payload: unknown) => {
      if (name !== 'chat') return;
      const f = payload as {
        runId?: string;
        sessionKey?: string;
        state?: string;
        deltaText?: string;
        errorMessage?: string;
        message?: { content?: { text?: string }[] };
      };
      if (f.sessionKey !== sessionKey || (runId && f.runId && f.runId !== runId)) return;
      if (f.state === 'delta' && f.deltaText) text += f.deltaText;
      else if (f.state === 'final') {
        const full = f.message?.content?.map((c) => c.text ?? '').join('') ?? '';
        finish(null, full || text);
      } else if (f.state === 'error' || f.state === 'aborted')
        finish(new Error(f.errorMessage ? `the agent failed: ${f.errorMessage}` : `chat ${f.state}`));
    };
    const finish = (err: Error | null, answer?: string) => {
      clearTimeout(timer);
      gw.off('event', onEvent);
      // A turn that failed or ran out of time is stopped, so the model's retries do not hold
      // the gateway (its restart waits for runs in flight).
      if (err && gw.connected)
        void gw.request('chat.abort', { sessionKey, ...(runId ? { runId } : {}) }, 5000).catch(() => {});
      if (err) reject(err);
      else if (!answer?.trim()) reject(new Error('the agent answered with nothing'));
      // OpenClaw answers a turn it could not run with its own warning (workspace missing,
      // model failed, …): that is no answer from the agent.
      else if (answer.trimStart().startsWith('⚠️'))
        reject(new Error(`the gateway answered for the agent: ${answer.slice(0, 200)}`));
      else resolve(answer);
    };
    gw.on('event', onEvent);
    gw.request<{ runId?: string }>(
      'chat.send',
      { sessionKey, message, idempotencyKey: `ds-health-${Date.now()}-${Math.random().toString(36).slice(2, 8)}` },
      // Accepting the turn counts against the turn's bound: a busy gateway is slow to accept.
      timeoutMs,
    ).then(
      (r) => {
        runId = r?.runId;
      },
      (e) => finish(e as Error),
    );
  });
}

/**
 * The health check after a change (and after a rollback): the gateway's `/readyz` and its
 * WebSocket, a real chat turn with a fixed prompt answered within a bound, and every enabled
 * channel running without an error. Stops at the first failing check.
 */
export async function checkHealth(
  ctx: CommandContext,
  bounds: HealthBounds = boundsOf(ctx.params),
): Promise<ChangeCheck[]> {
  const checks: ChangeCheck[] = [];
  const gw = ctx.gateway;
  const left = () => Math.max(1000, ctx.deadline - ctx.now() - 2000);
  ctx.progress({ message: 'health check: waiting for the gateway to be ready' });
  const ready = await timed('readyz', async () => {
    if (!(await waitReady(ctx.config.openclawUrl, Math.min(bounds.readyMs, left()), ctx.signal)))
      throw new Error(`/readyz not ready within ${Math.round(bounds.readyMs / 1000)} s`);
    if (gw && !gw.connected) await gw.waitUp(Math.min(bounds.readyMs, left()));
    return undefined;
  });
  checks.push(ready);
  if (!ready.ok || !gw) return checks;
  ctx.progress({ message: 'health check: a canary turn through the gateway' });
  turnsOf(gw).ignoredSessions.add(CANARY_SESSION);
  const canary = await timed('canary', async () => {
    const answer = await chatTurn(gw, CANARY_SESSION, CANARY_PROMPT, Math.min(bounds.canaryMs, left()));
    return `answered: ${answer.slice(0, 80)}`;
  });
  checks.push(canary);
  if (!canary.ok) return checks;
  ctx.progress({ message: 'health check: channels' });
  const channels = await timed('channels', async () => {
    const end = ctx.now() + Math.min(bounds.channelsMs, left());
    for (;;) {
      let problem: string;
      try {
        const list = await listChannels(gw, Math.max(1000, Math.min(30_000, end - ctx.now())));
        const bad = list.filter((c) => c.enabled === true && (c.connected === false || !!c.error));
        if (bad.length === 0) {
          const on = list.filter((c) => c.enabled === true).map((c) => c.id);
          return on.length ? `running: ${on.join(', ')}` : 'no channel configured';
        }
        problem = `not running: ${bad.map((c) => `${c.id}${c.error ? ` (${c.error})` : ''}`).join(', ')}`;
      } catch (e) {
        // A busy or restarting gateway may be slow to answer: ask again until the bound.
        problem = errorMessage(e);
      }
      if (ctx.now() >= end) throw new Error(problem);
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
  checks.push(channels);
  return checks;
}
