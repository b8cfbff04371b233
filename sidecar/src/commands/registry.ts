import { ping } from './ping.js';
import type { CommandHandler } from './types.js';

/**
 * A handler whose module is imported on its first command: most commands are rare, and code
 * that is never loaded costs no memory in the resident daemon (BENCHMARKS.md, sidecar.rss_mb).
 */
function lazy(load: () => Promise<CommandHandler>): CommandHandler {
  let handler: CommandHandler | undefined;
  return async (ctx) => {
    handler ??= await load();
    return handler(ctx);
  };
}

/**
 * Handlers by command type, one line each. A type in the protocol catalog without a line here
 * is answered `rejected: unsupported`; a type not in the catalog `rejected: unknown_type`.
 */
export const HANDLERS: Readonly<Record<string, CommandHandler>> = {
  ping,
  'openclaw.restart': lazy(async () => (await import('./openclaw-restart.js')).openclawRestart),
  'agent.pause': lazy(async () => (await import('./agent-pause.js')).agentPause),
  'agent.resume': lazy(async () => (await import('./agent-resume.js')).agentResume),
  'model.set': lazy(async () => (await import('./model-set.js')).modelSet),
  'config.get': lazy(async () => (await import('./config-get.js')).configGet),
  'config.apply': lazy(async () => (await import('./config-apply.js')).configApply),
  'openclaw.update': lazy(async () => (await import('./openclaw-update.js')).openclawUpdate),
  'logs.tail': lazy(async () => (await import('./logs-tail.js')).logsTail),
  'chat.send': lazy(async () => (await import('./chat-send.js')).chatSend),
  'channel.login': lazy(async () => (await import('./channel-login.js')).channelLogin),
  'console.open': lazy(async () => (await import('./console-open.js')).consoleOpen),
  'console.close': lazy(async () => (await import('./console-close.js')).consoleClose),
  'credentials.rotate': lazy(async () => (await import('./credentials-rotate.js')).credentialsRotate),
  'hubkey.rotate': lazy(async () => (await import('./hub-key-rotate.js')).hubKeyRotate),
  'backup.create': lazy(async () => (await import('./backup-create.js')).backupCreate),
  'backup.restore': lazy(async () => (await import('./backup-restore.js')).backupRestore),
  'change.rollback': lazy(async () => (await import('./change-rollback.js')).changeRollback),
  'sidecar.update': lazy(async () => (await import('./sidecar-update.js')).sidecarUpdate),
};
