import * as z from 'zod';
import { defineCommand, noParams, OPERATOR_AND_SUPPORT } from './define.js';

export const configGet = defineCommand({
  type: 'config.get',
  description: "Read OpenClaw's configuration with every secret redacted, and its hash.",
  params: noParams,
  result: z.object({ config: z.record(z.string(), z.unknown()), hash: z.string().nullable() }),
  defaultTimeoutSec: 60,
  roles: OPERATOR_AND_SUPPORT,
});
