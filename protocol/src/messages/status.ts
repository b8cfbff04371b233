import * as z from 'zod';
import { envelopeShape } from '../envelope.js';
import { LIMITS } from '../limits.js';
import { defineMessage } from './define.js';

/** Presence of a sidecar. Retained; the MQTT last will publishes `offline`. [SPEC 5.1] */
export const statusSchema = z.object({
  ...envelopeShape,
  state: z.enum(['online', 'offline']),
  reason: z.string().max(LIMITS.maxShortString).optional(),
});
export type StatusMessage = z.infer<typeof statusSchema>;

export const statusMessage = defineMessage({
  kind: 'status',
  direction: 'sidecar->hub',
  qos: 1,
  retain: true,
  acked: false,
  schema: statusSchema,
  description: 'Presence: online on connect, offline by the last will or on a clean shutdown.',
});
