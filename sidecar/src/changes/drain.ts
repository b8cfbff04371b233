import type { CommandContext } from '../commands/types.js';
import type { GatewayLike } from '../openclaw/types.js';
import { turnsOf } from './turns.js';

/**
 * Sessions the gateway itself says are running (`sessions.list`): a turn is running there from
 * the moment it is accepted, before its first event, which a busy gateway may send much later.
 */
async function runningSessions(
  gw: GatewayLike,
  ignored: ReadonlySet<string>,
): Promise<{ runId: string; sessionKey: string | null; ageMs: number }[]> {
  if (!gw.connected) return [];
  try {
    const r = await gw.request<{ sessions?: { key?: unknown; status?: unknown; updatedAt?: unknown }[] }>(
      'sessions.list',
      {},
      30_000,
    );
    return (r.sessions ?? [])
      .filter((s) => s.status === 'running' && typeof s.key === 'string' && !ignored.has(s.key))
      .map((s) => ({
        runId: `session:${s.key}`,
        sessionKey: s.key as string,
        ageMs: typeof s.updatedAt === 'number' ? Math.max(0, Date.now() - s.updatedAt) : 0,
      }));
  } catch (e) {
    // Too busy to answer: something is running. Otherwise (an older gateway) the events count.
    if (/timed out/i.test((e as Error).message))
      return [{ runId: 'gateway-busy', sessionKey: 'the gateway (too busy to list its sessions)', ageMs: 0 }];
    return [];
  }
}

/** Default bound of a drain when the command gives none. */
export const DEFAULT_DRAIN_SEC = 120;

export interface DrainResult {
  waitedMs: number;
  turns: number;
  timedOut: boolean;
}

/**
 * Waits until no conversation turn is in flight on the gateway, at most `drainSec` (and never
 * past the command's deadline less the time the change itself needs). Progress says what it is
 * waiting for. New turns are not refused meanwhile: the gateway has no way to hold them, so the
 * wait ends at the first quiet moment, and a turn that starts after it is cut by the restart.
 */
export async function drain(ctx: CommandContext, reserveMs: number): Promise<DrainResult | undefined> {
  const p = ctx.params as { drain?: boolean; drainSec?: number };
  const gw = ctx.gateway;
  if (p.drain === false || !gw) return undefined;
  const tracker = turnsOf(gw);
  const t0 = ctx.now();
  const bound = Math.min(t0 + 1000 * (p.drainSec ?? DEFAULT_DRAIN_SEC), Math.max(t0, ctx.deadline - reserveMs));
  const seen = new Set<string>();
  let lastSaid = '';
  for (;;) {
    const open = [...tracker.inFlight(), ...(await runningSessions(gw, tracker.ignoredSessions))].filter(
      (o, i, all) => all.findIndex((x) => (x.sessionKey ?? x.runId) === (o.sessionKey ?? o.runId)) === i,
    );
    for (const o of open) seen.add(o.sessionKey ?? o.runId);
    if (open.length === 0) return { waitedMs: ctx.now() - t0, turns: seen.size, timedOut: false };
    if (ctx.now() >= bound || ctx.signal.aborted) {
      ctx.progress({
        message: `drain: ${open.length} turn(s) still in flight after ${Math.round((ctx.now() - t0) / 1000)} s; going ahead`,
      });
      return { waitedMs: ctx.now() - t0, turns: seen.size, timedOut: true };
    }
    const oldest = Math.max(...open.map((o) => o.ageMs));
    const say = `drain: waiting for ${open.length} conversation turn(s) in flight (${open
      .map((o) => o.sessionKey ?? o.runId)
      .slice(0, 3)
      .join(', ')}; oldest ${Math.round(oldest / 1000)} s), up to ${Math.round((bound - ctx.now()) / 1000)} s more`;
    if (say.replace(/\d+ s/g, '') !== lastSaid) {
      ctx.progress({ message: say });
      lastSaid = say.replace(/\d+ s/g, '');
    }
    await tracker.changed(Math.min(1000, Math.max(50, bound - ctx.now())));
  }
}
