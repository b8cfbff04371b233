import { CommandFailure, type CommandHandler } from './types.js';

/** After the result is on its way, the link reconnects with the new secret. */
const RECONNECT_DELAY_MS = 500;

/**
 * `credentials.rotate`: saves the new MQTT secret durably, reports success, then reconnects with
 * it; the hub accepts both until the new one logs in, and the outbox makes the switch lossless.
 * [SPEC 6.6]
 */
export const credentialsRotate: CommandHandler = async (ctx) => {
  const remote = ctx.remote;
  if (!remote) throw new CommandFailure('UNAVAILABLE', 'credential rotation is not available on this sidecar');
  const { secret } = ctx.params as { secret: string };
  remote.secret.set(secret);
  setTimeout(() => remote.reconnect(), RECONNECT_DELAY_MS).unref?.();
  return { rotated: true };
};
