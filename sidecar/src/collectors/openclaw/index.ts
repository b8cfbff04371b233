import { existsSync } from 'node:fs';
import type { OpenclawState } from '@deepsignal/protocol';
import { errorMessage } from '../../errors.js';
import { openclawConfigPath } from '../../openclaw/config-file.js';
import { GatewayRpcError } from '../../openclaw/gateway-client.js';
import { getConfig, listChannels, modelOf, stopChannels } from '../../openclaw/ops.js';
import type { Collector, CollectorContext, CollectorFactory } from '../types.js';

/** An `openclaw.state` event goes out on every change and at least this often. [SPEC 5.6] */
const HEARTBEAT_MS = 60_000;
/** How long after a planned restart a down gateway still counts as restarting, not failed. */
const RESTART_GRACE_MS = 90_000;
/**
 * `usage.cost` reads OpenClaw's usage database in a worker: on a busy machine it takes 15-45 s,
 * and it fails ("Usage database changed during worker operation") whenever a turn writes. So the
 * cost is asked at most this often, one request at a time, with a bound of its own.
 */
const COST_REFRESH_MS = 60_000;
const COST_TIMEOUT_MS = 60_000;

/** OpenClaw's answer to any request while it restarts, before it closes the socket. */
const isRestartRefusal = (e: unknown) =>
  e instanceof GatewayRpcError && e.code === 'UNAVAILABLE' && /during gateway restart/i.test(e.message);

/**
 * The gateway's state: up/down/absent, version, configured model, channels, sessions, cost,
 * paused. Re-applies a remembered pause whenever the gateway (re)connects.
 */
export function createOpenclawCollector(ctx: CollectorContext, opts: { configExists?: () => boolean } = {}): Collector {
  const gw = ctx.gateway;
  const configFile = openclawConfigPath(ctx.config.openclawConfig);
  const present = opts.configExists ?? (() => existsSync(configFile));
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  let lastSent = 0;
  let everUp = false;
  /** Until when a drop is a planned restart (0: none planned). */
  let restartUntil = 0;
  /** When the gateway last came up: OpenClaw's uptime as far as this sidecar saw it. */
  let upSince: number | null = null;
  const restarting = () => restartUntil > ctx.now();

  const publish = (next: OpenclawState) => {
    const key = JSON.stringify(next);
    if (key === last && ctx.now() - lastSent < HEARTBEAT_MS) return;
    last = key;
    lastSent = ctx.now();
    ctx.emit.event({
      type: 'openclaw.state',
      message: next.up ? 'gateway up' : next.present ? 'gateway down' : 'OpenClaw absent',
      data: { ...next },
    });
  };

  /** The state while the gateway is not connected. */
  function downState(paused: boolean | undefined): OpenclawState {
    const isPresent = everUp || present();
    if (isPresent && restarting()) return { present: true, up: false, paused, restarting: true, error: null };
    return {
      present: isPresent,
      up: false,
      paused,
      error: isPresent ? 'gateway unreachable' : 'OpenClaw is not installed',
    };
  }

  /**
   * Details (model, channels, sessions, cost) keep their last known value when asking for them
   * fails: a slow answer on a busy gateway says nothing about its health. Only the `health` RPC
   * decides `ready` and `error` (which the hub turns into the instance's status), else one slow
   * `usage.cost` after each restart kept a healthy agent "in error" for minutes.
   */
  const known: Pick<OpenclawState, 'model' | 'channels' | 'sessions' | 'costTotal'> = {};
  /** Per detail, the failure last logged, so a failing streak is logged once. */
  const failing = new Map<string, string>();
  const noteFailure = (what: string, e: unknown) => {
    const msg = errorMessage(e).slice(0, 200);
    if (failing.get(what) !== msg) ctx.log('warn', `openclaw ${what}: ${msg} (last known value kept)`);
    failing.set(what, msg);
  };
  const detail = <T>(what: string, r: PromiseSettledResult<T>, keep: (v: T) => void) => {
    if (r.status === 'fulfilled') {
      if (failing.delete(what)) ctx.log('info', `openclaw ${what}: answering again`);
      keep(r.value);
    } else noteFailure(what, r.reason);
  };

  let costAskedAt = 0;
  let costInFlight = false;
  /** Refreshes the cost in the background when due; a new total is published by a new poll. */
  function refreshCost(g: NonNullable<typeof gw>): void {
    if (costInFlight || ctx.now() - costAskedAt < COST_REFRESH_MS) return;
    costInFlight = true;
    costAskedAt = ctx.now();
    g.request<{ totals?: { totalCost?: number }; daily?: { totalCost?: number }[] }>('usage.cost', {}, COST_TIMEOUT_MS)
      .then(
        (c) => {
          failing.delete('usage.cost');
          const total = c?.totals?.totalCost ?? c?.daily?.reduce((a, d) => a + (Number(d.totalCost) || 0), 0);
          if (typeof total === 'number' && Number.isFinite(total) && total >= 0 && total !== known.costTotal) {
            known.costTotal = total;
            tick();
          }
        },
        (e) => noteFailure('usage.cost', e),
      )
      .finally(() => {
        costInFlight = false;
      });
  }

  async function poll(): Promise<void> {
    const paused = ctx.state.get().paused;
    if (!gw?.connected) {
      publish(downState(paused));
      return;
    }
    refreshCost(gw);
    const [health, cfg, channels, sessions] = await Promise.allSettled([
      gw.request<{ ok?: boolean }>('health', {}),
      getConfig(gw),
      listChannels(gw),
      gw.request<{ count?: number; totalCount?: number }>('sessions.list', { limit: 1 }),
    ]);
    // Lost while asking: what came back (rejections) is about the old connection.
    if (!gw.connected) {
      publish(downState(ctx.state.get().paused));
      return;
    }
    detail('config.get', cfg, (v) => {
      known.model = modelOf(v.config);
    });
    detail('channels.status', channels, (v) => {
      known.channels = v;
    });
    detail('sessions.list', sessions, (v) => {
      known.sessions = Math.max(0, Number(v?.totalCount ?? v?.count ?? 0) || 0);
    });
    // While it restarts, OpenClaw still holds the socket but refuses every request
    // (UNAVAILABLE "… unavailable during gateway restart"): that is a restart, not an error.
    if (health.status === 'rejected' && isRestartRefusal(health.reason)) {
      // It said so itself (a restart it decided on, e.g. for a setting): the drop that follows too.
      restartUntil = Math.max(restartUntil, ctx.now() + RESTART_GRACE_MS);
      publish({ present: true, up: false, paused, restarting: true, error: null });
      return;
    }
    const healthy = health.status === 'fulfilled' && health.value?.ok !== false;
    const next: OpenclawState = {
      present: true,
      up: true,
      paused,
      version: gw.hello?.version ?? null,
      ready: healthy,
      ...known,
      error: health.status === 'rejected' ? `health: ${errorMessage(health.reason)}`.slice(0, 200) : null,
      ...(upSince !== null ? { uptimeMs: Math.max(0, ctx.now() - upSince) } : {}),
    };
    publish(next);
  }

  // One poll at a time: a tick during a poll runs one more poll after it, so a slow gateway is
  // never asked the same questions over and over while it is still answering the last ones.
  let polling = false;
  let again = false;
  const tick = () => {
    if (polling) {
      again = true;
      return;
    }
    polling = true;
    void poll()
      .catch((e) => {
        ctx.log('warn', `openclaw poll: ${errorMessage(e)}`);
      })
      .finally(() => {
        polling = false;
        if (again) {
          again = false;
          tick();
        }
      });
  };

  const onUp = () => {
    everUp = true;
    restartUntil = 0;
    upSince = ctx.now();
    ctx.emit.event({
      type: 'openclaw.up',
      message: `gateway ${gw?.hello?.version ?? ''} connected`.trim(),
      data: { version: gw?.hello?.version ?? null },
    });
    const s = ctx.state.get();
    if (s.paused && gw) {
      // OpenClaw has no pause flag: a restarted gateway starts its channels again, so stop them again.
      stopChannels(gw).then(
        (ids) =>
          ctx.emit.event({
            type: 'agent.paused',
            message: 'pause re-applied after the gateway came back',
            data: { channels: ids },
          }),
        (e) => ctx.log('warn', `could not re-apply the pause: ${errorMessage(e)}`),
      );
    }
    tick();
  };
  const onRestartPlanned = () => {
    restartUntil = ctx.now() + RESTART_GRACE_MS;
  };
  const onDown = (reason: string) => {
    const isPresent = everUp || present();
    upSince = null;
    if (isPresent && restarting()) {
      ctx.emit.event({ type: 'openclaw.restarting', severity: 'info', message: 'gateway restarting (planned)' });
      tick();
      return;
    }
    ctx.emit.event(
      isPresent
        ? { type: 'openclaw.down', severity: 'error', message: `gateway unreachable: ${reason}`.slice(0, 500) }
        : { type: 'openclaw.absent', severity: 'info', message: 'no OpenClaw on this machine' },
    );
    tick();
  };

  return {
    name: 'openclaw',
    start() {
      if (gw) {
        gw.on('up', onUp);
        gw.on('down', onDown);
        gw.on('restart-planned', onRestartPlanned);
      } else ctx.emit.event({ type: 'openclaw.absent', message: 'running without an OpenClaw gateway' });
      tick();
      timer = setInterval(tick, ctx.config.openclawPollMs);
      timer.unref?.();
    },
    stop() {
      clearInterval(timer);
      gw?.off('up', onUp);
      gw?.off('down', onDown);
      gw?.off('restart-planned', onRestartPlanned);
    },
  };
}

export const openclawCollector: CollectorFactory = { name: 'openclaw', create: (ctx) => createOpenclawCollector(ctx) };
