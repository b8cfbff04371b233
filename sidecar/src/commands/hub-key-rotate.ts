import { keyIdOf } from '@deepsignal/protocol';
import { CommandFailure, type CommandHandler } from './types.js';

/**
 * `hubkey.rotate`: trust the hub's next key now and the current ones until `retireOldAfter`
 * (saved in the state dir before the result is sent). [SPEC 6.7]
 */
export const hubKeyRotate: CommandHandler = async (ctx) => {
  if (!ctx.remote) throw new CommandFailure('UNAVAILABLE', 'key rotation is not available on this sidecar');
  const { publicKey, retireOldAfter } = ctx.params as { publicKey: string; retireOldAfter: number };
  ctx.remote.trust.rotate(publicKey, retireOldAfter);
  ctx.log(
    'info',
    `hub key ${keyIdOf(publicKey)} trusted; older keys retire at ${new Date(retireOldAfter).toISOString()}`,
  );
  return { keyId: keyIdOf(publicKey) };
};
