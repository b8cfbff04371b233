import * as z from 'zod';
import { changeReport, guardParams } from './change.js';
import { defineCommand, OWNER_TOO } from './define.js';

/** `provider/model`, as OpenClaw names models. */
export const modelRef = z
  .string()
  .min(3)
  .max(200)
  .regex(/^[A-Za-z0-9._-]+\/[A-Za-z0-9._:/@-]+$/, 'must be provider/model');

export const modelSet = defineCommand({
  type: 'model.set',
  description: "Change the agent's default model (applied live, no restart).",
  params: z.object({ model: modelRef, fallbacks: z.array(modelRef).max(8).optional(), ...guardParams }).strict(),
  result: z.object({ model: z.string(), previous: z.string().nullable(), change: changeReport.optional() }),
  // Room for a drain, the health check and a rollback with its own check.
  defaultTimeoutSec: 600,
  roles: OWNER_TOO,
});
