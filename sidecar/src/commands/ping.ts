import type { CommandHandler } from './types.js';

/** `ping`: the sidecar's clock and uptime. */
export const ping: CommandHandler = async (ctx) => ({
  pong: true,
  ts: ctx.now(),
  uptimeSec: Math.round((ctx.now() - ctx.startedAt) / 1000),
});
