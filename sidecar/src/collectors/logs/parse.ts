import { LIMITS, LOG_LEVELS, type LogLevel, type LogLine } from '@deepsignal/protocol';
import { redactText } from '../../openclaw/redact.js';

const LEVELS = new Set<string>(LOG_LEVELS);

function subsystemOf(name: unknown): string {
  if (typeof name !== 'string') return '';
  // OpenClaw often stores a JSON object in `_meta.name` ({"subsystem":"gateway/ws"} or {"module":"cron"}).
  if (name.startsWith('{')) {
    try {
      const j = JSON.parse(name) as Record<string, unknown>;
      const s = j.subsystem ?? j.module ?? j.name;
      if (typeof s === 'string') return s;
    } catch {}
  }
  return name;
}

function messageOf(j: Record<string, unknown>): string {
  if (typeof j.message === 'string') return j.message;
  const parts: string[] = [];
  for (let i = 0; i < 10 && String(i) in j; i++) {
    const v = j[String(i)];
    parts.push(typeof v === 'string' ? v : JSON.stringify(v));
  }
  return parts.join(' ');
}

/**
 * One line of the gateway's JSON-lines log (tslog shape: `time`, `_meta.logLevelName`,
 * `_meta.name`, message in `message` or `"0"`, `"1"`…) as a protocol log line, redacted.
 * A line that is not JSON is kept as an `info` message. Empty lines give null. [SPEC 5.4]
 */
export function parseLogLine(line: string, now: number): LogLine | null {
  const text = line.trim();
  if (!text) return null;
  let j: Record<string, unknown> | null = null;
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) j = v as Record<string, unknown>;
  } catch {}
  if (!j) return { t: now, level: 'info', subsystem: '', msg: clip(redactText(text)) };
  const meta = (j._meta ?? {}) as Record<string, unknown>;
  const lv = String(meta.logLevelName ?? j.level ?? 'info').toLowerCase();
  const level: LogLevel = LEVELS.has(lv) ? (lv as LogLevel) : lv === 'warning' ? 'warn' : 'info';
  const t = Date.parse(String(j.time ?? meta.date ?? ''));
  return {
    t: Number.isFinite(t) && t > 946_684_800_000 ? t : now,
    level,
    subsystem: subsystemOf(meta.name).slice(0, LIMITS.maxShortString),
    msg: clip(redactText(messageOf(j))),
  };
}

function clip(s: string): string {
  return s.length > LIMITS.maxLogMessage ? `${s.slice(0, LIMITS.maxLogMessage - 1)}…` : s;
}
