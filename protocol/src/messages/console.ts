import * as z from 'zod';
import { LIMITS } from '../limits.js';
import { PROTOCOL_VERSION } from '../version.js';
import { defineMessage } from './define.js';

/**
 * Hub-to-sidecar console frames on `console/<sessionId>/in`. [SPEC 7.1]
 * The session exists only after a signed `console.open` naming its id.
 * `ack` grants the sidecar more output credit (bytes the browser has consumed): flow control.
 */
export const consoleInSchema = z.discriminatedUnion('type', [
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('input'), data: z.string().max(LIMITS.maxConsoleData) }),
  z.object({
    v: z.literal(PROTOCOL_VERSION),
    type: z.literal('resize'),
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(500),
  }),
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('ack'), bytes: z.number().int().nonnegative() }),
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('close') }),
]);
export type ConsoleIn = z.infer<typeof consoleInSchema>;

/** Sidecar-to-hub console frames on `console/<sessionId>/out`. [SPEC 7.1] */
export const consoleOutSchema = z.discriminatedUnion('type', [
  z.object({
    v: z.literal(PROTOCOL_VERSION),
    type: z.literal('output'),
    seq: z.number().int().nonnegative(),
    data: z.string().max(LIMITS.maxConsoleData),
  }),
  z.object({
    v: z.literal(PROTOCOL_VERSION),
    type: z.literal('exit'),
    code: z.number().int().nullable(),
    reason: z.string().max(LIMITS.maxShortString).optional(),
  }),
]);
export type ConsoleOut = z.infer<typeof consoleOutSchema>;

export const consoleInMessage = defineMessage({
  kind: 'console/in',
  direction: 'hub->sidecar',
  qos: 1,
  retain: false,
  acked: false,
  schema: consoleInSchema,
  description: 'Keystrokes, resize, flow-control credit and close for a console session.',
});

export const consoleOutMessage = defineMessage({
  kind: 'console/out',
  direction: 'sidecar->hub',
  qos: 1,
  retain: false,
  acked: false,
  schema: consoleOutSchema,
  description: 'Terminal output and exit for a console session.',
});
