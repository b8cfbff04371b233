import type { z } from 'zod';
import { LIMITS } from '../limits.js';
import type { Role } from '../roles.js';
import { agentPause } from './agent-pause.js';
import { agentResume } from './agent-resume.js';
import { backupCreate } from './backup-create.js';
import { backupRestore } from './backup-restore.js';
import { changeRollback } from './change.js';
import { channelLogin } from './channel-login.js';
import { chatSend } from './chat-send.js';
import { configApply } from './config-apply.js';
import { configGet } from './config-get.js';
import { consoleClose } from './console-close.js';
import { consoleOpen } from './console-open.js';
import { credentialsRotate } from './credentials-rotate.js';
import type { CommandDef } from './define.js';
import { hubKeyRotate } from './hub-key-rotate.js';
import { logsTail } from './logs-tail.js';
import { modelSet } from './model-set.js';
import { openclawRestart } from './openclaw-restart.js';
import { openclawUpdate } from './openclaw-update.js';
import { ping } from './ping.js';
import { sidecarUpdate } from './sidecar-update.js';

/** Every command type, one line each. [SPEC 6.1] */
export const COMMANDS = {
  ping,
  'openclaw.restart': openclawRestart,
  'agent.pause': agentPause,
  'agent.resume': agentResume,
  'model.set': modelSet,
  'openclaw.update': openclawUpdate,
  'config.get': configGet,
  'config.apply': configApply,
  'logs.tail': logsTail,
  'backup.create': backupCreate,
  'backup.restore': backupRestore,
  'console.open': consoleOpen,
  'console.close': consoleClose,
  'credentials.rotate': credentialsRotate,
  'sidecar.update': sidecarUpdate,
  'hubkey.rotate': hubKeyRotate,
  'chat.send': chatSend,
  'channel.login': channelLogin,
  'change.rollback': changeRollback,
} as const satisfies Record<string, CommandDef>;

export type CommandType = keyof typeof COMMANDS;
export const COMMAND_TYPES = Object.keys(COMMANDS) as CommandType[];
export type CommandParams<T extends CommandType> = z.input<(typeof COMMANDS)[T]['params']>;
export type CommandResult<T extends CommandType> = z.infer<(typeof COMMANDS)[T]['result']>;

export function isCommandType(type: unknown): type is CommandType {
  return typeof type === 'string' && Object.hasOwn(COMMANDS, type);
}

export function getCommand(type: string): CommandDef | undefined {
  return isCommandType(type) ? (COMMANDS[type] as CommandDef) : undefined;
}

/** Whether a role may issue a command type. [SPEC 6.5] */
export function mayIssue(role: Role, type: string): boolean {
  const def = getCommand(type);
  return !!def && def.roles.includes(role);
}

export type ParamsCheck =
  | { ok: true; params: Record<string, unknown> }
  | { ok: false; code: 'unknown_type' | 'bad_params'; message: string };

/**
 * Why params are too large to travel, or null. A signed command is one MQTT message of at most
 * `maxMessageBytes`, which a sidecar refuses unread: params over `maxParamsBytes` (room left for
 * the envelope and signature) could never be delivered, so they are refused where they are made.
 */
export function paramsSizeError(params: unknown): string | null {
  let bytes: number;
  try {
    // TextEncoder rather than Buffer: the dashboard checks params in the browser too.
    bytes = new TextEncoder().encode(JSON.stringify(params ?? {})).length;
  } catch {
    return 'params cannot be encoded as JSON';
  }
  return bytes > LIMITS.maxParamsBytes
    ? `params are ${bytes} bytes, over the ${LIMITS.maxParamsBytes}-byte limit`
    : null;
}

/** Validates params for a type; returns defaults filled in. Never throws. [SPEC 6.2] */
export function validateParams(type: string, params: unknown): ParamsCheck {
  const def = getCommand(type);
  if (!def) return { ok: false, code: 'unknown_type', message: `unknown command type: ${type}` };
  const tooLarge = paramsSizeError(params);
  if (tooLarge) return { ok: false, code: 'bad_params', message: tooLarge };
  const r = def.params.safeParse(params ?? {});
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
    return { ok: false, code: 'bad_params', message: msg };
  }
  return { ok: true, params: r.data as Record<string, unknown> };
}

/** Copy of params with the command's secret params replaced by "[redacted]". */
export function redactParams(type: string, params: Record<string, unknown>): Record<string, unknown> {
  const def = getCommand(type);
  if (!def?.secretParams?.length) return params;
  const out = { ...params };
  for (const k of def.secretParams) if (k in out) out[k] = '[redacted]';
  return out;
}
