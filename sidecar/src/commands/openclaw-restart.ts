import { drain } from '../changes/drain.js';
import { restartGateway } from '../changes/restart.js';
import { waitReady } from '../openclaw/ops.js';
import type { CommandHandler } from './types.js';

/**
 * `openclaw.restart`: first, unless `drain: false`, wait until no conversation turn is in flight
 * (bounded by `drainSec`); then restart the gateway (changes/restart.ts) and wait until it is ready.
 */
export const openclawRestart: CommandHandler = async (ctx) => {
  const { waitReadySec } = ctx.params as { waitReadySec: number };
  const gw = ctx.gateway;
  const drained = await drain(ctx, 1000 * waitReadySec + 15_000);
  const t0 = ctx.now();
  const method = await restartGateway(ctx);
  const extra = drained ? { drain: drained } : {};
  if (waitReadySec === 0) return { method, readyAfterMs: null, ...extra };
  const budget = Math.min(waitReadySec * 1000, ctx.deadline - ctx.now() - 500);
  const ready =
    (await waitReady(ctx.config.openclawUrl, budget, ctx.signal)) &&
    (!gw ||
      (await gw.waitUp(Math.max(1000, ctx.deadline - ctx.now() - 500)).then(
        () => true,
        () => false,
      )));
  return { method, readyAfterMs: ready ? ctx.now() - t0 : null, ...extra };
};
