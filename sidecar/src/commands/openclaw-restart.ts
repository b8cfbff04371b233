import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { errorMessage, SIDECAR_ERR } from '../errors.js';
import { waitReady } from '../openclaw/ops.js';
import { CommandFailure, type CommandHandler } from './types.js';

const run = promisify(execFile);

/**
 * `openclaw.restart`: ask the gateway to restart itself (`gateway.restart.request`, same PID,
 * SIGUSR2); when it is not reachable, restart its systemd unit, but only a unit the operator
 * named (`--openclaw-unit`, set by the installer): restarting a guessed unit on a host we do not
 * know is not ours to do. Then wait until it is ready.
 */
export const openclawRestart: CommandHandler = async (ctx) => {
  const { waitReadySec } = ctx.params as { waitReadySec: number };
  const gw = ctx.gateway;
  const t0 = ctx.now();
  let method: string;
  if (gw?.connected) {
    const down = new Promise<void>((resolve) => gw.once('down', () => resolve()));
    gw.emit('restart-planned');
    await gw.request('gateway.restart.request', {}, 30_000);
    method = 'gateway.restart.request';
    ctx.progress({ message: 'restart requested' });
    await Promise.race([down, new Promise((r) => setTimeout(r, 10_000))]);
  } else {
    const unit = ctx.config.openclawUnit;
    if (!unit) {
      throw new CommandFailure(
        SIDECAR_ERR.OPENCLAW_DOWN,
        'the OpenClaw gateway is not reachable and no systemd unit is configured to restart it ' +
          '(set --openclaw-unit / DS_OPENCLAW_UNIT)',
      );
    }
    method = `systemctl restart ${unit}`;
    try {
      await run('systemctl', ['restart', unit], { timeout: 60_000, signal: ctx.signal });
    } catch (e) {
      throw new Error(`gateway unreachable and ${method} failed: ${errorMessage(e)}`);
    }
  }
  if (waitReadySec === 0) return { method, readyAfterMs: null };
  const budget = Math.min(waitReadySec * 1000, ctx.deadline - ctx.now() - 500);
  const ready =
    (await waitReady(ctx.config.openclawUrl, budget, ctx.signal)) &&
    (!gw ||
      (await gw.waitUp(Math.max(1000, ctx.deadline - ctx.now() - 500)).then(
        () => true,
        () => false,
      )));
  return { method, readyAfterMs: ready ? ctx.now() - t0 : null };
};
