import * as z from 'zod';
import { envelopeShape, timeMs } from '../envelope.js';
import { LIMITS } from '../limits.js';
import { defineMessage } from './define.js';

/**
 * Well-known event types. Others are allowed (a newer sidecar may add some) and stored as they
 * come. [SPEC 5.6]
 */
export const KNOWN_EVENT_TYPES = [
  'openclaw.up',
  'openclaw.down',
  'openclaw.absent',
  'openclaw.restarted',
  'openclaw.restarting',
  'openclaw.health',
  'openclaw.state',
  'agent.paused',
  'agent.resumed',
  'collector.error',
  'collector.recovered',
  'outbox.dropped',
  'outbox.corrupt',
  'sidecar.started',
] as const;

export const eventSchema = z.object({
  t: timeMs,
  type: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9_.-]+$/),
  severity: z.enum(['info', 'warn', 'error']).default('info'),
  message: z.string().max(LIMITS.maxEventMessage).default(''),
  /** Small structured detail; its size counts against the message limit. */
  data: z.record(z.string(), z.unknown()).optional(),
});
export type InstanceEvent = z.infer<typeof eventSchema>;

export const eventsSchema = z.object({
  ...envelopeShape,
  events: z.array(eventSchema).min(1).max(LIMITS.maxEvents),
});
export type EventsMessage = z.infer<typeof eventsSchema>;

export const eventsMessage = defineMessage({
  kind: 'events',
  direction: 'sidecar->hub',
  qos: 1,
  retain: false,
  acked: true,
  schema: eventsSchema,
  description: 'OpenClaw lifecycle and health changes, collector errors, outbox drops.',
});

/**
 * Data of an `openclaw.state` event: the sidecar's view of its gateway, sent when it changes and
 * at least every minute. [SPEC 5.6]
 */
export const openclawStateSchema = z.object({
  present: z.boolean(),
  up: z.boolean(),
  ready: z.boolean().optional(),
  version: z.string().max(64).nullable().optional(),
  model: z.string().max(LIMITS.maxShortString).nullable().optional(),
  paused: z.boolean().optional(),
  channels: z
    .array(
      z.object({
        id: z.string().max(64),
        enabled: z.boolean().optional(),
        connected: z.boolean().optional(),
        error: z.string().max(LIMITS.maxShortString).nullable().optional(),
      }),
    )
    .max(32)
    .optional(),
  sessions: z.number().int().nonnegative().optional(),
  uptimeMs: z.number().nonnegative().optional(),
  /** Down because the sidecar asked for a restart (openclaw.restart), not because it failed. */
  restarting: z.boolean().optional(),
  costTotal: z.number().nonnegative().optional(),
  error: z.string().max(LIMITS.maxShortString).nullable().optional(),
});
export type OpenclawState = z.infer<typeof openclawStateSchema>;
