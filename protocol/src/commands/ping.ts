import * as z from 'zod';
import { defineCommand, noParams, OWNER_TOO } from './define.js';

export const ping = defineCommand({
  type: 'ping',
  description: 'Round trip check; answers with the sidecar clock and uptime.',
  params: noParams,
  result: z.object({ pong: z.literal(true), ts: z.number(), uptimeSec: z.number().optional() }),
  defaultTimeoutSec: 60,
  roles: OWNER_TOO,
});
