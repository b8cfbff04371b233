import * as z from 'zod';
import { idSchema } from '../ids.js';
import { LIMITS } from '../limits.js';
import { PROTOCOL_VERSION } from '../version.js';
import { defineMessage } from './define.js';

/**
 * A signed command from the hub, on `ds/v1/<instanceId>/cmd`. [SPEC 6.3]
 * `sig` is Ed25519 over the canonical JSON of every other field except `keyId`
 * (see `signing.ts`). Params are validated against the catalog separately, after the
 * signature, so an unknown type from a newer hub is answered `rejected: unknown_type`.
 */
export const signedCommandSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/),
  instanceId: idSchema,
  type: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()),
  issuedAt: z.number().int().nonnegative(),
  expiresAt: z.number().int().nonnegative(),
  issuer: z.string().min(1).max(LIMITS.maxShortString),
  keyId: z.string().max(64).optional(),
  sig: z.string().max(200).optional(),
});
export type SignedCommand = z.infer<typeof signedCommandSchema>;
export type UnsignedCommand = Omit<SignedCommand, 'sig' | 'keyId'>;

export const cmdMessage = defineMessage({
  kind: 'cmd',
  direction: 'hub->sidecar',
  qos: 1,
  retain: false,
  acked: false,
  schema: signedCommandSchema,
  description: 'A command signed by the hub.',
});
