import * as z from 'zod';
import { logLineSchema } from '../messages/logs.js';
import { defineCommand, OPERATOR_AND_SUPPORT } from './define.js';

export const logsTail = defineCommand({
  type: 'logs.tail',
  description: 'The last N gateway log lines, redacted.',
  params: z.object({ lines: z.number().int().min(1).max(1000).default(100) }).strict(),
  result: z.object({ lines: z.array(logLineSchema) }),
  defaultTimeoutSec: 60,
  roles: OPERATOR_AND_SUPPORT,
});
