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
    await gw.request('gateway.restart.request', {}, 30_000);
    ctx.progress({ message: 'restart requested' });
    await Promise.race([down, new Promise((r) => setTimeout(r, 10_000))]);
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
