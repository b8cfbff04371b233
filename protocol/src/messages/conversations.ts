import * as z from 'zod';
import { envelopeShape, nonNeg, timeMs } from '../envelope.js';
import { LIMITS } from '../limits.js';
import { defineMessage } from './define.js';

const short = z.string().max(LIMITS.maxShortString);

export const CONVERSATION_ROLES = ['user', 'assistant', 'system', 'tool'] as const;

/**
 * One conversation message. [SPEC 5.5]
 * `messageId` is OpenClaw's own transcript id: the hub stores each (instance, messageId) once,
 * so a catch-up after a reconnect cannot double-count.
 */
export const conversationMessageSchema = z.object({
  messageId: z.string().min(1).max(128),
  t: timeMs,
  sessionKey: short,
  channel: short.default('unknown'),
  role: z.enum(CONVERSATION_ROLES),
  text: z.string().max(LIMITS.maxConversationText),
  tokensIn: z.number().int().nonnegative().default(0),
  tokensOut: z.number().int().nonnegative().default(0),
  cost: nonNeg.default(0),
  model: short.nullable().default(null),
  provider: short.nullable().optional(),
  /** Time from the user's message to this reply's final frame, for assistant messages. */
  latencyMs: z.number().int().nonnegative().nullable().optional(),
  /**
   * Set on an assistant reply that failed (OpenClaw's `stopReason: "error"`): the provider's error
   * message, or `error` without one. Absent on a reply that worked.
   */
  error: short.min(1).nullable().optional(),
});
export type ConversationMessage = z.infer<typeof conversationMessageSchema>;

export const conversationsSchema = z.object({
  ...envelopeShape,
  messages: z.array(conversationMessageSchema).min(1).max(LIMITS.maxConversationMessages),
});
export type ConversationsMessage = z.infer<typeof conversationsSchema>;

export const conversationsMessage = defineMessage({
  kind: 'conversations',
  direction: 'sidecar->hub',
  qos: 1,
  retain: false,
  acked: true,
  schema: conversationsSchema,
  description: 'Conversation turns with token usage, cost and latency.',
});
