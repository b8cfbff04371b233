import * as z from 'zod';
import { idSchema } from '../ids.js';
import { defineCommand, OPERATOR } from './define.js';

export const consoleClose = defineCommand({
  type: 'console.close',
  description: 'Close a terminal session.',
  params: z.object({ sessionId: idSchema }).strict(),
  result: z.object({ closed: z.boolean() }),
  defaultTimeoutSec: 60,
  roles: OPERATOR,
});
