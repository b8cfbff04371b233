import * as z from 'zod';
import { LIMITS } from '../limits.js';
import { PROTOCOL_VERSION } from '../version.js';
import { defineMessage } from './define.js';

/**
 * File transfer in chunks (backups out, restores in) on `transfer/<transferId>/<out|in>`. [SPEC 7.2]
 * Chunks are base64, numbered from 0; the last one has `eof` with the whole file's size and sha256.
 * The receiver answers each chunk with an `ack` on the opposite direction so at most a window
 * of chunks is in flight.
 */
export const transferChunkSchema = z.discriminatedUnion('type', [
  z.object({
    v: z.literal(PROTOCOL_VERSION),
    type: z.literal('chunk'),
    seq: z.number().int().nonnegative(),
    data: z.string().max(Math.ceil((LIMITS.maxTransferChunk * 4) / 3) + 4),
    eof: z.object({ size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  }),
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('ack'), seq: z.number().int().nonnegative() }),
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('abort'), reason: z.string().max(LIMITS.maxShortString) }),
]);
export type TransferFrame = z.infer<typeof transferChunkSchema>;

export const transferOutMessage = defineMessage({
  kind: 'transfer/out',
  direction: 'sidecar->hub',
  qos: 1,
  retain: false,
  acked: false,
  schema: transferChunkSchema,
  description: 'Sidecar-to-hub file chunks (backups) or acks of hub chunks (restores).',
});

export const transferInMessage = defineMessage({
  kind: 'transfer/in',
  direction: 'hub->sidecar',
  qos: 1,
  retain: false,
  acked: false,
  schema: transferChunkSchema,
  description: 'Hub-to-sidecar file chunks (restores) or acks of sidecar chunks (backups).',
});
