import { CommandFailure, type CommandHandler } from './types.js';

/** `console.close`: ends a session (its `exit` frame follows). */
export const consoleClose: CommandHandler = async (ctx) => {
  if (!ctx.remote) throw new CommandFailure('CONSOLE_UNAVAILABLE', 'console is not available on this sidecar');
  const { sessionId } = ctx.params as { sessionId: string };
  return { closed: ctx.remote.console.close(sessionId, 'console.close') };
};
