import type { GatewayLike } from '../openclaw/types.js';

/** A turn with no event for this long is taken as finished (a lost `final`, a gateway restart). */
const STALE_MS = 10 * 60_000;

interface Turn {
  sessionKey: string | null;
  startedAt: number;
  lastAt: number;
}

/**
 * The conversation turns in flight on a gateway, from its events: a `chat` frame with a running
 * state (`delta`, …) or an `agent` lifecycle `start` opens a turn; `final`, `error`, `aborted`
 * or lifecycle `end`/`error` closes it. A gateway going down closes them all (its runs died).
 */
export class TurnTracker {
  private readonly turns = new Map<string, Turn>();
  private readonly waiters = new Set<() => void>();
  /** Session keys whose turns are our own (the health check's canary): never waited on. */
  readonly ignoredSessions = new Set<string>();

  constructor(
    gw: GatewayLike,
    private readonly now: () => number = Date.now,
  ) {
    gw.on('event', (name: string, payload: unknown) => this.onEvent(name, payload));
    gw.on('down', () => {
      this.turns.clear();
      this.notify();
    });
  }

  private onEvent(name: string, payload: unknown): void {
    const p = (payload ?? {}) as {
      runId?: unknown;
      sessionKey?: unknown;
      state?: unknown;
      stream?: unknown;
      data?: { phase?: unknown };
    };
    const runId = typeof p.runId === 'string' ? p.runId : null;
    if (!runId) return;
    const sessionKey = typeof p.sessionKey === 'string' ? p.sessionKey : null;
    let open: boolean | null = null;
    if (name === 'chat') open = !['final', 'error', 'aborted'].includes(String(p.state));
    else if (name === 'agent' && p.stream === 'lifecycle') {
      const phase = String(p.data?.phase ?? '');
      if (phase === 'start') open = true;
      else if (phase === 'end' || phase === 'error') open = false;
    }
    if (open === null) return;
    const t = this.now();
    if (open) {
      const cur = this.turns.get(runId);
      this.turns.set(runId, {
        sessionKey: sessionKey ?? cur?.sessionKey ?? null,
        startedAt: cur?.startedAt ?? t,
        lastAt: t,
      });
    } else if (this.turns.delete(runId)) this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Turns in flight now (stale ones dropped, our own canary left out). */
  inFlight(): { runId: string; sessionKey: string | null; ageMs: number }[] {
    const t = this.now();
    const out: { runId: string; sessionKey: string | null; ageMs: number }[] = [];
    for (const [runId, turn] of this.turns) {
      if (t - turn.lastAt > STALE_MS) {
        this.turns.delete(runId);
        continue;
      }
      if (turn.sessionKey && this.ignoredSessions.has(turn.sessionKey)) continue;
      out.push({ runId, sessionKey: turn.sessionKey, ageMs: t - turn.startedAt });
    }
    return out;
  }

  /** Resolves on the next turn ending (or after `ms`). */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}

const trackers = new WeakMap<GatewayLike, TurnTracker>();

/** The tracker of a gateway, made (and subscribed) on first call: the sidecar calls it at start. */
export function turnsOf(gw: GatewayLike): TurnTracker {
  let t = trackers.get(gw);
  if (!t) {
    t = new TurnTracker(gw);
    trackers.set(gw, t);
  }
  return t;
}
