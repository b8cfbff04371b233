import * as z from 'zod';
import { drainParams, drainReport } from './change.js';
import { defineCommand, OPERATOR_AND_SUPPORT } from './define.js';

export const openclawRestart = defineCommand({
  type: 'openclaw.restart',
  description: 'Restart the OpenClaw gateway (gateway restart request, or its systemd unit) and wait until ready.',
  params: z.object({ waitReadySec: z.number().int().min(0).max(600).default(60), ...drainParams }).strict(),
  result: z.object({ method: z.string(), readyAfterMs: z.number().nullable(), drain: drainReport.optional() }),
  defaultTimeoutSec: 180,
  roles: OPERATOR_AND_SUPPORT,
});
