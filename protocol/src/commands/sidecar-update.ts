import * as z from 'zod';
import { defineCommand, OPERATOR } from './define.js';

export const sidecarUpdate = defineCommand({
  type: 'sidecar.update',
  description: 'Update the sidecar itself to a version, then restart it.',
  params: z
    .object({
      version: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[A-Za-z0-9._-]+$/),
      url: z.string().url().max(2048).optional(),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    })
    .strict(),
  result: z.object({ from: z.string(), to: z.string() }),
  defaultTimeoutSec: 600,
  roles: OPERATOR,
  progress: true,
});
