import * as z from 'zod';
import { idSchema } from '../ids.js';
import { defineCommand, OPERATOR } from './define.js';

export const backupCreate = defineCommand({
  type: 'backup.create',
  description: "Archive OpenClaw's state (config, workspace, agent databases; no caches) and stream it to the hub.",
  params: z.object({ transferId: idSchema }).strict(),
  result: z.object({ size: z.number().int().nonnegative(), sha256: z.string(), files: z.number().int() }),
  defaultTimeoutSec: 1800,
  roles: OPERATOR,
  progress: true,
});
