import { toMs } from './time';

export function fmtPct(v: number | null | undefined, digits = 0) {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(digits)}%`;
}

export function fmtBytes(v: number | null | undefined, perSec = false) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let n = Math.abs(v);
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(n >= 100 || i === 0 ? 0 : 1)} ${units[i]}${perSec ? '/s' : ''}`;
}

export function fmtNumber(v: number | null | undefined, digits = 0) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function fmtCompact(v: number | null | undefined) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(v);
}

export function fmtMoney(v: number | null | undefined) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  // Small amounts (a single reply costs fractions of a cent) keep four decimals.
  const digits = v > 0 && v < 1 ? 4 : v < 10 ? 2 : 0;
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(v);
}

/** Seconds to "3d 4h", "5h 12m", "42s". */
export function fmtDuration(sec: number | null | undefined) {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return '—';
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m`;
  return `${Math.floor(sec)}s`;
}

export function fmtMs(v: number | null | undefined) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

/** "just now", "5 min ago", "3 h ago", then a date. */
export function fmtAgo(t: number | string | null | undefined, now = Date.now()) {
  const ms = toMs(t ?? null);
  if (!Number.isFinite(ms)) return 'never';
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}

export function fmtTime(t: number | string | null | undefined, withDate = false) {
  const ms = toMs(t ?? null);
  if (!Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  return withDate ? d.toLocaleString() : d.toLocaleTimeString();
}
