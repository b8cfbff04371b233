import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LogLine } from '@deepsignal/protocol';
import { newestLogFile } from '../collectors/logs/follow.js';
import { parseLogLine } from '../collectors/logs/parse.js';
import type { CommandHandler } from './types.js';

/** `logs.tail`: the last N lines of the gateway's current log file, parsed and redacted. */
export const logsTail: CommandHandler = async (ctx) => {
  const { lines: n } = ctx.params as { lines: number };
  const file = newestLogFile(ctx.config.openclawLogDir);
  if (!file) return { lines: [] };
  const fd = openSync(file, 'r');
  let text: string;
  let partialFirst = false;
  try {
    const size = fstatSync(fd).size;
    // Enough bytes for N lines of ordinary length; long lines just mean fewer lines.
    const want = Math.min(size, n * 4096);
    partialFirst = want < size;
    const buf = Buffer.alloc(want);
    readSync(fd, buf, 0, want, size - want);
    text = buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
  const raw = text
    .split('\n')
    .slice(partialFirst ? 1 : 0)
    .filter(Boolean)
    .slice(-n);
  const out: LogLine[] = [];
  for (const l of raw) {
    const p = parseLogLine(l, ctx.now());
    if (p) out.push(p);
  }
  return { lines: out };
};
