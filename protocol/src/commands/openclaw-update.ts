import * as z from 'zod';
import { changeReport, guardParams } from './change.js';
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
      ...guardParams,
    })
    .strict(),
  result: z.object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    output: z.string().optional(),
    change: changeReport.optional(),
  }),
  defaultTimeoutSec: 900,
  roles: OPERATOR,
  progress: true,
});
