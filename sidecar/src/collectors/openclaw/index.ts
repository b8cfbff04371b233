import { existsSync } from 'node:fs';
import type { OpenclawState } from '@deepsignal/protocol';
import { errorMessage } from '../../errors.js';
import { openclawConfigPath } from '../../openclaw/config-file.js';
import { getConfig, listChannels, modelOf, stopChannels } from '../../openclaw/ops.js';
import type { Collector, CollectorContext, CollectorFactory } from '../types.js';

/** An `openclaw.state` event goes out on every change and at least this often. [SPEC 5.6] */
const HEARTBEAT_MS = 60_000;
/** How long after a planned restart a down gateway still counts as restarting, not failed. */
const RESTART_GRACE_MS = 90_000;

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

  async function poll(): Promise<void> {
    const paused = ctx.state.get().paused;
    if (!gw?.connected) {
      const isPresent = everUp || present();
      if (isPresent && restarting()) {
        publish({ present: true, up: false, paused, restarting: true, error: null });
        return;
      }
      publish({
        present: isPresent,
        up: false,
        paused,
        error: isPresent ? 'gateway unreachable' : 'OpenClaw is not installed',
      });
      return;
    }
    const next: OpenclawState = {
      present: true,
      up: true,
      paused,
      version: gw.hello?.version ?? null,
      error: null,
      ...(upSince !== null ? { uptimeMs: Math.max(0, ctx.now() - upSince) } : {}),
    };
    const [health, cfg, channels, sessions, cost] = await Promise.allSettled([
      gw.request<{ ok?: boolean }>('health', {}),
      getConfig(gw),
      listChannels(gw),
      gw.request<{ count?: number; totalCount?: number }>('sessions.list', { limit: 1 }),
      gw.request<{ totals?: { totalCost?: number }; daily?: { totalCost?: number }[] }>('usage.cost', {}),
    ]);
    next.ready = health.status === 'fulfilled' ? health.value?.ok !== false : false;
    if (cfg.status === 'fulfilled') next.model = modelOf(cfg.value.config);
    if (channels.status === 'fulfilled') next.channels = channels.value;
    if (sessions.status === 'fulfilled')
      next.sessions = Math.max(0, Number(sessions.value?.totalCount ?? sessions.value?.count ?? 0) || 0);
    if (cost.status === 'fulfilled') {
      const c = cost.value;
      const total = c?.totals?.totalCost ?? c?.daily?.reduce((a, d) => a + (Number(d.totalCost) || 0), 0);
      if (typeof total === 'number' && Number.isFinite(total) && total >= 0) next.costTotal = total;
    }
    const failed = [health, cfg, channels, sessions, cost].find((r) => r.status === 'rejected') as
      | PromiseRejectedResult
      | undefined;
    if (failed) next.error = errorMessage(failed.reason).slice(0, 200);
    publish(next);
  }

  const tick = () =>
    void poll().catch((e) => {
      ctx.log('warn', `openclaw poll: ${errorMessage(e)}`);
    });

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
