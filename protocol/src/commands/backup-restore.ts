import * as z from 'zod';
import { idSchema } from '../ids.js';
import { defineCommand, OPERATOR } from './define.js';

export const backupRestore = defineCommand({
  type: 'backup.restore',
  description: "Receive an archive from the hub, check it, replace OpenClaw's state with it and restart the gateway.",
  params: z
    .object({
      transferId: idSchema,
      size: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .strict(),
  result: z.object({ restored: z.literal(true), files: z.number().int() }),
  defaultTimeoutSec: 1800,
  roles: OPERATOR,
  progress: true,
});
