import { listChannels, startChannels } from '../openclaw/ops.js';
import { requireGateway } from './gateway.js';
import type { CommandHandler } from './types.js';

/** `agent.resume`: start the channels again and forget the pause. */
export const agentResume: CommandHandler = async (ctx) => {
  const gw = await requireGateway(ctx);
  const known = new Set((await listChannels(gw)).map((c) => c.id));
  const ids = [...new Set([...ctx.state.get().pausedChannels, ...known])];
  const channels = await startChannels(gw, ids);
  ctx.state.set({ paused: false, pausedChannels: [] });
  ctx.emit.event({
    type: 'agent.resumed',
    message: `agent resumed (${channels.length} channels started)`,
    data: { channels },
  });
  return { paused: false, channels };
};
