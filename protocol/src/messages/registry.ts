import type { z } from 'zod';
import { ackMessage } from './ack.js';
import { cmdMessage } from './cmd.js';
import { cmdResultMessage } from './cmd-result.js';
import { consoleInMessage, consoleOutMessage } from './console.js';
import { conversationsMessage } from './conversations.js';
import type { MessageDef } from './define.js';
import { eventsMessage } from './events.js';
import { helloMessage } from './hello.js';
import { logsMessage } from './logs.js';
import { metricsMessage } from './metrics.js';
import { statusMessage } from './status.js';
import { transferInMessage, transferOutMessage } from './transfer.js';

/** Every message kind, one line each. [SPEC 3.2] */
export const MESSAGES = {
  status: statusMessage,
  hello: helloMessage,
  metrics: metricsMessage,
  logs: logsMessage,
  conversations: conversationsMessage,
  events: eventsMessage,
  'cmd-result': cmdResultMessage,
  ack: ackMessage,
  cmd: cmdMessage,
  'console/in': consoleInMessage,
  'console/out': consoleOutMessage,
  'transfer/in': transferInMessage,
  'transfer/out': transferOutMessage,
} as const satisfies Record<string, MessageDef>;

export type MessageKind = keyof typeof MESSAGES;
export type MessageOf<K extends MessageKind> = z.infer<(typeof MESSAGES)[K]['schema']>;

/** Sidecar-to-hub kinds that carry the full envelope. */
export const ENVELOPED_KINDS = ['status', 'hello', 'metrics', 'logs', 'conversations', 'events', 'cmd-result'] as const;
export type EnvelopedKind = (typeof ENVELOPED_KINDS)[number];
