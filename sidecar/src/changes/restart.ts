import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CommandContext } from '../commands/types.js';
import { CommandFailure } from '../commands/types.js';
import { errorMessage, SIDECAR_ERR } from '../errors.js';

const run = promisify(execFile);

/**
 * Restarts the gateway: asks it (`gateway.restart.request`, same PID, SIGUSR2) when connected;
 * otherwise restarts its systemd unit, but only a unit the operator named (`--openclaw-unit`,
 * set by the installer): restarting a guessed unit on a host we do not know is not ours to do.
 * Returns how; does not wait for readiness.
 */
export async function restartGateway(ctx: CommandContext): Promise<string> {
  const gw = ctx.gateway;
  if (gw?.connected) {
    const down = new Promise<void>((resolve) => gw.once('down', () => resolve()));
    // Tells the OpenClaw collector that the coming drop is planned ("restarting", not "down").
    gw.emit('restart-planned');
    const r = await gw.request<{ status?: unknown; preflight?: { counts?: { totalActive?: unknown } } }>(
      'gateway.restart.request',
      {},
      30_000,
    );
    // OpenClaw defers a restart while it has work in flight (runs, replies, queued messages) and
    // restarts once it is done; until it goes down, the old process still answers.
    const deferred = r?.status === 'deferred';
    ctx.progress({
      message: deferred
        ? `restart requested; the gateway deferred it until its ${String(r.preflight?.counts?.totalActive ?? 'active')} task(s) in flight finish`
        : 'restart requested',
    });
    const waitDown = deferred ? Math.max(30_000, ctx.deadline - ctx.now() - 90_000) : 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([down, new Promise((res) => (timer = setTimeout(res, waitDown)))]);
    clearTimeout(timer);
    return 'gateway.restart.request';
  }
  const unit = ctx.config.openclawUnit;
  if (!unit) {
    throw new CommandFailure(
      SIDECAR_ERR.OPENCLAW_DOWN,
      'the OpenClaw gateway is not reachable and no systemd unit is configured to restart it ' +
        '(set --openclaw-unit / DS_OPENCLAW_UNIT)',
    );
  }
  const method = `systemctl restart ${unit}`;
  try {
    await run('systemctl', ['restart', unit], { timeout: 60_000, signal: ctx.signal });
  } catch (e) {
    throw new Error(`gateway unreachable and ${method} failed: ${errorMessage(e)}`);
  }
  return method;
}
