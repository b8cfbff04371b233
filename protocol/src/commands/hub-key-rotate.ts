import * as z from 'zod';
import { defineCommand, OPERATOR } from './define.js';

/**
 * Teach the sidecar the hub's next public key. Signed with the current key; after it succeeds
 * the sidecar accepts both until `retireOldAfter`, then only the new one. [SPEC 6.7]
 */
export const hubKeyRotate = defineCommand({
  type: 'hubkey.rotate',
  description: "Add the hub's next signing key; the old one is retired at the given time.",
  params: z
    .object({
      publicKey: z.string().regex(/^ed25519:[A-Za-z0-9_-]{43}$/),
      retireOldAfter: z.number().int().nonnegative(),
    })
    .strict(),
  result: z.object({ keyId: z.string() }),
  defaultTimeoutSec: 300,
  roles: OPERATOR,
});
