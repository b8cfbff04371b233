import * as z from 'zod';
import { envelopeShape, timeMs } from '../envelope.js';
import { LIMITS } from '../limits.js';
import { defineMessage } from './define.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One gateway log line, secrets already redacted by the sidecar. [SPEC 5.4] */
export const logLineSchema = z.object({
  t: timeMs,
  level: z.enum(LOG_LEVELS),
  subsystem: z.string().max(LIMITS.maxShortString).default(''),
  msg: z.string().max(LIMITS.maxLogMessage),
});
export type LogLine = z.infer<typeof logLineSchema>;

export const logsSchema = z.object({
  ...envelopeShape,
  lines: z.array(logLineSchema).min(1).max(LIMITS.maxLogLines),
});
export type LogsMessage = z.infer<typeof logsSchema>;

export const logsMessage = defineMessage({
  kind: 'logs',
  direction: 'sidecar->hub',
  qos: 1,
  retain: false,
  acked: true,
  schema: logsSchema,
  description: 'A batch of OpenClaw gateway log lines.',
});
