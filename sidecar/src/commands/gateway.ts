import { SIDECAR_ERR } from '../errors.js';
import type { GatewayLike } from '../openclaw/types.js';
import { type CommandContext, CommandFailure } from './types.js';

/** The connected gateway, waiting briefly for a reconnect; fails with OPENCLAW_DOWN otherwise. */
export async function requireGateway(ctx: CommandContext, waitMs = 15_000): Promise<GatewayLike> {
  const gw = ctx.gateway;
  if (!gw) throw new CommandFailure(SIDECAR_ERR.OPENCLAW_DOWN, 'no OpenClaw gateway on this machine');
  if (gw.connected) return gw;
  try {
    await gw.waitUp(Math.max(0, Math.min(waitMs, ctx.deadline - ctx.now() - 1000)));
    return gw;
  } catch {
    throw new CommandFailure(SIDECAR_ERR.OPENCLAW_DOWN, 'the OpenClaw gateway is not reachable');
  }
}
