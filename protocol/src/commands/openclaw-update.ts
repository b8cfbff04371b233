import * as z from 'zod';
import { defineCommand, OPERATOR } from './define.js';

export const openclawUpdate = defineCommand({
  type: 'openclaw.update',
  description: 'Update OpenClaw to a version or tag (`openclaw update --yes --tag`), with output as progress.',
  params: z
    .object({
      version: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[A-Za-z0-9._-]+$/),
    })
    .strict(),
  result: z.object({ from: z.string().nullable(), to: z.string().nullable(), output: z.string().optional() }),
  defaultTimeoutSec: 900,
  roles: OPERATOR,
  progress: true,
});
