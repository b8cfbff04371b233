import * as z from 'zod';
import { defineCommand, OWNER_TOO } from './define.js';

/**
 * Send one message to the agent (the onboarding test drive). The reply streams back as
 * `running` progress messages and ends in the result. [SPEC 6.2]
 */
export const chatSend = defineCommand({
  type: 'chat.send',
  description: 'Send a message to the agent through the gateway and stream the reply back as progress.',
  params: z
    .object({
      message: z.string().min(1).max(8000),
      sessionKey: z
        .string()
        .max(200)
        .regex(/^[A-Za-z0-9:._-]+$/)
        .default('agent:main:main'),
    })
    .strict(),
  result: z.object({
    text: z.string(),
    model: z.string().nullable(),
    tokensIn: z.number().int().nonnegative(),
    tokensOut: z.number().int().nonnegative(),
    latencyMs: z.number().int().nonnegative(),
  }),
  defaultTimeoutSec: 120,
  roles: OWNER_TOO,
  progress: true,
});
