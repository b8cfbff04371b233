import { z } from 'zod';
import { TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATES } from '../../tickets/types.js';

const clock = z.object({
  state: z.enum(['ok', 'at_risk', 'breached']),
  elapsedMs: z.number(),
  targetMs: z.number(),
  stopped: z.boolean(),
});

export const ticketSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  instanceId: z.string().nullable(),
  openedBy: z.string().nullable(),
  subject: z.string(),
  state: z.enum(TICKET_STATES),
  snoozedUntil: z.string().nullable(),
  category: z.string(),
  priority: z.string(),
  assigneeId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  firstResponseAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  sla: z.object({
    state: z.enum(['ok', 'at_risk', 'breached']),
    firstResponse: clock,
    resolution: clock,
    paused: z.boolean(),
  }),
  draftReply: z.string().nullable().optional(),
  draftBy: z.string().nullable().optional(),
  proposedResolution: z.string().nullable().optional(),
  escalatedAt: z.string().nullable().optional(),
  escalationReason: z.string().nullable().optional(),
});

export const entrySchema = z.object({
  id: z.string(),
  kind: z.enum(['message', 'note', 'system']),
  author: z.enum(['client', 'operator', 'agent', 'system']),
  authorId: z.string().nullable(),
  authorEmail: z.string().nullable(),
  body: z.string(),
  via: z.string(),
  automatic: z.boolean(),
  meta: z.unknown(),
  createdAt: z.string(),
});

export const attachmentSchema = z.object({
  id: z.string(),
  messageId: z.string().nullable(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number(),
  internal: z.boolean(),
  createdAt: z.string(),
});

export const ticketWithThread = ticketSchema.extend({
  thread: z.array(entrySchema),
  attachments: z.array(attachmentSchema),
});

export const category = z.enum(TICKET_CATEGORIES);
export const priority = z.enum(TICKET_PRIORITIES);
export const body = z.string().trim().min(1).max(20_000);
