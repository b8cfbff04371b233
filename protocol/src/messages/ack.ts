import * as z from 'zod';
import { idSchema } from '../ids.js';
import { PROTOCOL_VERSION } from '../version.js';
import { defineMessage } from './define.js';

export const ACKED_STREAMS = ['metrics', 'logs', 'conversations', 'events', 'cmd-result'] as const;
export type AckedStream = (typeof ACKED_STREAMS)[number];

/**
 * End-to-end acknowledgement from the hub. [SPEC 4.2]
 * Each entry says: every message of (bootId, stream) with seq <= `seq` is committed to the
 * database (or was deliberately dropped below the sidecar's `base`). The sidecar may delete them.
 */
export const ackSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  ts: z.number().int().nonnegative(),
  acks: z
    .array(
      z.object({
        bootId: idSchema,
        stream: z.enum(ACKED_STREAMS),
        seq: z.number().int().nonnegative(),
      }),
    )
    .min(1)
    .max(64),
});
export type AckMessage = z.infer<typeof ackSchema>;

export const ackMessage = defineMessage({
  kind: 'ack',
  direction: 'hub->sidecar',
  qos: 1,
  retain: false,
  acked: false,
  schema: ackSchema,
  description: 'Highest contiguous committed seq per (boot, stream).',
});
