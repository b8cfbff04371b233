import * as z from 'zod';
import { defineCommand, noParams, OWNER_TOO } from './define.js';

export const agentPause = defineCommand({
  type: 'agent.pause',
  description: 'Pause the agent: stop its channels so it answers no one; remembered across restarts.',
  params: noParams,
  result: z.object({ paused: z.literal(true), channels: z.array(z.string()) }),
  defaultTimeoutSec: 120,
  roles: OWNER_TOO,
});
