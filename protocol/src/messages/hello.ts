import * as z from 'zod';
import { envelopeShape } from '../envelope.js';
import { LIMITS } from '../limits.js';
import { defineMessage } from './define.js';

const short = z.string().max(LIMITS.maxShortString);

/** Sent after every connect: who the sidecar is and what it can do. [SPEC 5.2] */
export const helloSchema = z.object({
  ...envelopeShape,
  sidecarVersion: short,
  protocolVersion: z.number().int().positive(),
  openclawVersion: short.nullable(),
  capabilities: z.array(short).max(LIMITS.maxCapabilities),
  hostname: short,
  platform: short.optional(),
  nodeVersion: short.optional(),
  /** Key id of the hub public key the sidecar currently trusts. */
  hubKeyId: short.optional(),
});
export type HelloMessage = z.infer<typeof helloSchema>;

export const helloMessage = defineMessage({
  kind: 'hello',
  direction: 'sidecar->hub',
  qos: 1,
  retain: false,
  acked: false,
  schema: helloSchema,
  description: 'Identity and capabilities, after every (re)connect.',
});
