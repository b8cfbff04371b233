import { stopChannels } from '../openclaw/ops.js';
import { requireGateway } from './gateway.js';
import type { CommandHandler } from './types.js';

/**
 * `agent.pause`: stop every channel so the agent answers no one. OpenClaw has no lasting pause
 * flag, so the state is remembered here and re-applied whenever the gateway comes back.
 */
export const agentPause: CommandHandler = async (ctx) => {
  const gw = await requireGateway(ctx);
  // Remember first: if stopping fails half-way, the next gateway connect completes it.
  const before = ctx.state.get();
  ctx.state.set({ paused: true });
  const channels = await stopChannels(gw);
  ctx.state.set({ paused: true, pausedChannels: [...new Set([...before.pausedChannels, ...channels])] });
  ctx.emit.event({
    type: 'agent.paused',
    severity: 'warn',
    message: `agent paused (${channels.length} channels stopped)`,
    data: { channels },
  });
  return { paused: true, channels };
};
