import * as z from 'zod';
import { idSchema } from './ids.js';
import { PROTOCOL_VERSION } from './version.js';

/**
 * Fields every sidecar-to-hub message carries. [SPEC 3.1]
 * - `seq` grows by one per message within (instanceId, bootId, stream); the hub uses
 *   (instance, stream, bootId, seq) to drop duplicates and find gaps. [SPEC 4.1]
 * - `base` is the lowest `seq` of this stream and boot that the sidecar still holds; everything
 *   below it was acknowledged or deliberately dropped, so the hub may acknowledge past it. [SPEC 4.3]
 * - `ts` is the sidecar's clock (ms since epoch); the hub compares it to its own to estimate skew.
 */
export const envelopeShape = {
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().min(1).max(64),
  instanceId: idSchema,
  bootId: idSchema,
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  base: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  ts: z.number().int().nonnegative(),
};

export const envelopeSchema = z.object(envelopeShape);
export type Envelope = z.infer<typeof envelopeSchema>;

/** Epoch-millisecond timestamp inside a message (2000-01-01 .. 2200-01-01). */
export const timeMs = z.number().int().min(946_684_800_000).max(7_258_118_400_000);
export const finite = z.number().finite();
export const nonNeg = z.number().finite().nonnegative();
