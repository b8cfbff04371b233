import * as z from 'zod';
import { envelopeShape } from '../envelope.js';
import { LIMITS } from '../limits.js';
import { defineMessage } from './define.js';

/** States a sidecar reports for a command. `queued` and `canceled` are hub-only. [SPEC 6.4] */
export const SIDECAR_COMMAND_STATES = ['delivered', 'running', 'succeeded', 'failed', 'rejected', 'timed_out'] as const;

/** Why a sidecar refused a command. [SPEC 6.3] */
export const REJECT_REASONS = [
  'malformed',
  'missing_signature',
  'bad_signature',
  'unknown_key',
  'wrong_instance',
  'expired',
  'not_yet_valid',
  'replayed',
  'unknown_type',
  'unsupported',
  'bad_params',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const cmdResultSchema = z.object({
  ...envelopeShape,
  commandId: z.string().min(1).max(64),
  state: z.enum(SIDECAR_COMMAND_STATES),
  /** Progress for long work (updates, backups): a fraction, a line of output and/or a picture. */
  progress: z
    .object({
      pct: z.number().min(0).max(100).optional(),
      message: z.string().max(LIMITS.maxEventMessage).optional(),
      /** A picture to show while it runs, as a PNG data URL (a pairing QR code). */
      image: z
        .string()
        .max(LIMITS.maxProgressImage)
        .regex(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/)
        .optional(),
    })
    .optional(),
  /** The command's result, validated by the hub against the catalog's result schema. */
  result: z.unknown().optional(),
  error: z
    .object({
      code: z.string().max(64),
      message: z.string().max(LIMITS.maxEventMessage),
    })
    .optional(),
});
export type CmdResultMessage = z.infer<typeof cmdResultSchema>;

export const cmdResultMessage = defineMessage({
  kind: 'cmd-result',
  direction: 'sidecar->hub',
  qos: 1,
  retain: false,
  acked: true,
  schema: cmdResultSchema,
  description: 'A command state change, with progress, result or error.',
});
