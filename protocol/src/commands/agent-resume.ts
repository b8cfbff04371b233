import * as z from 'zod';
import { defineCommand, noParams, OWNER_TOO } from './define.js';

export const agentResume = defineCommand({
  type: 'agent.resume',
  description: 'Resume a paused agent: start its channels again.',
  params: noParams,
  result: z.object({ paused: z.literal(false), channels: z.array(z.string()) }),
  defaultTimeoutSec: 120,
  roles: OWNER_TOO,
});
