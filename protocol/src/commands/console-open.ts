import * as z from 'zod';
import { idSchema } from '../ids.js';
import { defineCommand, OPERATOR } from './define.js';

export const consoleOpen = defineCommand({
  type: 'console.open',
  description: 'Open a terminal session (pty) bound to `console/<sessionId>/…` topics.',
  params: z
    .object({
      sessionId: idSchema,
      cols: z.number().int().min(1).max(1000).default(80),
      rows: z.number().int().min(1).max(500).default(24),
      idleTimeoutSec: z.number().int().min(10).max(86_400).default(900),
    })
    .strict(),
  result: z.object({ sessionId: z.string(), pid: z.number().int(), shell: z.string() }),
  defaultTimeoutSec: 60,
  roles: OPERATOR,
});
