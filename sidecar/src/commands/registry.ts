import { agentPause } from './agent-pause.js';
import { agentResume } from './agent-resume.js';
import { backupCreate } from './backup-create.js';
import { backupRestore } from './backup-restore.js';
import { chatSend } from './chat-send.js';
import { configApply } from './config-apply.js';
import { configGet } from './config-get.js';
import { consoleClose } from './console-close.js';
import { consoleOpen } from './console-open.js';
import { credentialsRotate } from './credentials-rotate.js';
import { hubKeyRotate } from './hub-key-rotate.js';
import { logsTail } from './logs-tail.js';
import { modelSet } from './model-set.js';
import { openclawRestart } from './openclaw-restart.js';
import { openclawUpdate } from './openclaw-update.js';
import { ping } from './ping.js';
import type { CommandHandler } from './types.js';

/**
 * Handlers by command type, one line each. A type in the protocol catalog without a line here
 * is answered `rejected: unsupported`; a type not in the catalog `rejected: unknown_type`.
 */
export const HANDLERS: Readonly<Record<string, CommandHandler>> = {
  ping,
  'openclaw.restart': openclawRestart,
  'agent.pause': agentPause,
  'agent.resume': agentResume,
  'model.set': modelSet,
  'config.get': configGet,
  'config.apply': configApply,
  'openclaw.update': openclawUpdate,
  'logs.tail': logsTail,
  'chat.send': chatSend,
  'console.open': consoleOpen,
  'console.close': consoleClose,
  'credentials.rotate': credentialsRotate,
  'hubkey.rotate': hubKeyRotate,
  'backup.create': backupCreate,
  'backup.restore': backupRestore,
};
