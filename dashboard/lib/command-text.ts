import { getCommand } from '@protocol/commands/catalog';
import { fmtBytes, fmtDuration, fmtMs } from './format';

/** Every command type's name for people (the protocol's catalog knows the types). */
export const COMMAND_NAMES: Record<string, string> = {
  'agent.pause': 'Pause agent',
  'agent.resume': 'Resume agent',
  'backup.create': 'Back up',
  'backup.restore': 'Restore backup',
  'channel.login': 'Pair channel',
  'chat.send': 'Chat message',
  'config.apply': 'Apply settings',
  'config.get': 'Read config',
  'console.close': 'Close console',
  'console.open': 'Open console',
  'credentials.rotate': 'Rotate credentials',
  'hubkey.rotate': 'Rotate hub key',
  'logs.tail': 'Read logs',
  'model.set': 'Change model',
  'openclaw.restart': 'Restart OpenClaw',
  'openclaw.update': 'Update OpenClaw',
  ping: 'Ping',
  'sidecar.update': 'Update sidecar',
};

export const commandName = (type: string) => COMMAND_NAMES[type] ?? type;

/** `idleTimeoutSec` → "idle timeout". */
const words = (key: string) =>
  key
    .replace(/(Sec|Ms|Bytes)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();

function value(key: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (/Sec$/.test(key)) return fmtDuration(v);
    if (/Ms$/.test(key)) return fmtMs(v);
    if (/(size|Bytes)$/i.test(key)) return fmtBytes(v);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v.length > 60 ? `${v.slice(0, 57)}…` : v;
  if (Array.isArray(v)) return v.length ? v.map((x) => value(key, x)).join(', ') : 'none';
  if (typeof v === 'object') return `${Object.keys(v as object).length} fields`;
  return String(v);
}

/** Keys in the order the command's schema declares them, then any others. */
function orderedKeys(type: string, obj: Record<string, unknown>): string[] {
  const shape = (getCommand(type)?.params as { shape?: Record<string, unknown> } | undefined)?.shape;
  const declared = shape ? Object.keys(shape) : [];
  return [...declared.filter((k) => k in obj), ...Object.keys(obj).filter((k) => !declared.includes(k))];
}

/** Internal ids that say nothing to a person reading a history. */
const HIDDEN = new Set(['sessionId', 'transferId', 'idempotencyKey']);

/**
 * One readable line for a command's parameters: a sentence for the common types, else the
 * schema's fields as "name value". Secret parameters (the catalog marks them) never show.
 */
export function describeParams(type: string, params: Record<string, unknown> | null | undefined): string {
  const p = params ?? {};
  const secret = new Set(getCommand(type)?.secretParams ?? []);
  switch (type) {
    case 'console.open':
      return `terminal ${p.cols ?? 80}×${p.rows ?? 24}, closes after ${fmtDuration(Number(p.idleTimeoutSec ?? 900))} idle`;
    case 'model.set':
      return `to ${p.model}${Array.isArray(p.fallbacks) && p.fallbacks.length ? `, fallbacks ${p.fallbacks.join(', ')}` : ''}`;
    case 'chat.send':
      return typeof p.message === 'string' ? `“${value('message', p.message)}”` : '';
    case 'openclaw.update':
    case 'sidecar.update':
      return p.version || p.tag ? `to ${p.version ?? p.tag}` : '';
    case 'openclaw.restart':
      return p.waitReadySec ? `waits up to ${fmtDuration(Number(p.waitReadySec))} until ready` : '';
    case 'logs.tail':
      return p.lines ? `last ${p.lines} lines` : '';
  }
  return orderedKeys(type, p)
    .filter((k) => !HIDDEN.has(k) && !secret.has(k))
    .map((k) => `${words(k)} ${value(k, p[k])}`)
    .join(' · ');
}

/** One readable line for a command's result (what came back), or '' when there is nothing to say. */
export function describeResult(type: string, result: unknown): string {
  if (!result || typeof result !== 'object') return '';
  const r = result as Record<string, unknown>;
  switch (type) {
    case 'console.open':
      return r.shell ? `${r.shell} (pid ${r.pid})` : '';
    case 'model.set':
      return r.previous ? `was ${r.previous}` : '';
    case 'openclaw.restart':
      return typeof r.readyAfterMs === 'number' ? `ready after ${fmtMs(r.readyAfterMs)}` : 'restarted';
    case 'backup.create':
      return typeof r.size === 'number' ? `${fmtBytes(r.size)}, ${r.files ?? '?'} files` : '';
    case 'ping':
      return typeof r.uptimeSec === 'number' ? `sidecar up ${fmtDuration(r.uptimeSec)}` : 'answered';
    case 'chat.send':
      return typeof r.text === 'string' ? `“${value('text', r.text)}”` : '';
  }
  return Object.keys(r)
    .filter((k) => !HIDDEN.has(k))
    .slice(0, 4)
    .map((k) => `${words(k)} ${value(k, r[k])}`)
    .join(' · ');
}
