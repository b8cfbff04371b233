import { CommandFailure, type CommandHandler } from './types.js';

/** `console.open`: a pty bound to `console/<sessionId>/…`. [SPEC 7.1] */
export const consoleOpen: CommandHandler = async (ctx) => {
  if (!ctx.remote) throw new CommandFailure('CONSOLE_UNAVAILABLE', 'console is not available on this sidecar');
  const p = ctx.params as { sessionId: string; cols: number; rows: number; idleTimeoutSec: number };
  try {
    const s = await ctx.remote.console.open(p);
    return { sessionId: s.id, pid: s.pid, shell: s.shell };
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CommandFailure(typeof code === 'string' ? code : 'CONSOLE_FAILED', (e as Error).message);
  }
};
