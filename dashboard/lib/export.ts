import { toMs } from './time';
import type { Conversation } from './types';

const COLUMNS = [
  'time',
  'sessionKey',
  'channel',
  'role',
  'text',
  'tokensIn',
  'tokensOut',
  'cost',
  'model',
  'latencyMs',
  'sentiment',
] as const;

/** RFC 4180 quoting; also defuses spreadsheet formulas (a cell starting with = + - @). */
function cell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function conversationsToCsv(messages: Conversation[]): string {
  const rows = messages.map((m) =>
    [
      new Date(toMs(m.t)).toISOString(),
      m.sessionKey,
      m.channel,
      m.role,
      m.text,
      m.tokensIn,
      m.tokensOut,
      m.cost,
      m.model,
      m.latencyMs,
      m.sentiment,
    ]
      .map(cell)
      .join(','),
  );
  return [COLUMNS.join(','), ...rows].join('\r\n');
}

export function conversationsToJson(messages: Conversation[]): string {
  return JSON.stringify(
    messages.map((m) => ({ ...m, t: new Date(toMs(m.t)).toISOString() })),
    null,
    2,
  );
}

/** Saves text as a file through a temporary link. */
export function download(filename: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
