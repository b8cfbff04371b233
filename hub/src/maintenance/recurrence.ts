/**
 * Occurrences of a maintenance window in its own time zone, with Intl only: a local day and time
 * is turned into an instant by asking Intl for the zone's offset at that moment (twice, so a
 * daylight-saving change between the guess and the answer is taken into account).
 */
import { isTimeZone, wallAsUtc } from '../util/zoned-time.js';

export { isTimeZone };

export interface WindowSpec {
  timeZone: string;
  startDate: string;
  startTime: string;
  durationMin: number;
  days: number[];
  untilDate: string | null;
}

const DAY_MS = 86_400_000;
/** The zone's wall-clock fields at an instant. */
function wallClock(at: number, timeZone: string) {
  const w = new Date(wallAsUtc(at, timeZone));
  return {
    y: w.getUTCFullYear(),
    m: w.getUTCMonth() + 1,
    d: w.getUTCDate(),
    h: w.getUTCHours(),
    mi: w.getUTCMinutes(),
    s: w.getUTCSeconds(),
  };
}

/** Offset of the zone from UTC at an instant, in ms. */
function offsetAt(at: number, timeZone: string): number {
  const w = wallClock(at, timeZone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(at / 1000) * 1000;
}

/** The instant of a local date and time in a zone. */
export function zonedInstant(date: string, time: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const [h, mi] = time.split(':').map(Number);
  const guess = Date.UTC(y, m - 1, d, h, mi);
  const first = guess - offsetAt(guess, timeZone);
  return guess - offsetAt(first, timeZone);
}

/** The local date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(at: number, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

/** Whether the window starts on this local day. */
function startsOn(w: WindowSpec, date: string): boolean {
  if (date < w.startDate) return false;
  if (w.days.length === 0) return date === w.startDate;
  if (w.untilDate && date > w.untilDate) return false;
  return w.days.includes(weekday(date));
}

/** The occurrence open at `at`, as [start, end) in ms, or null. */
export function occurrenceAt(w: WindowSpec, at: number): { start: number; end: number } | null {
  const back = Math.ceil(w.durationMin / 1440) + 1;
  const today = localDate(at, w.timeZone);
  for (let i = 0; i <= back; i++) {
    const date = addDays(today, -i);
    if (!startsOn(w, date)) continue;
    const start = zonedInstant(date, w.startTime, w.timeZone);
    const end = start + w.durationMin * 60_000;
    if (start <= at && at < end) return { start, end };
  }
  return null;
}

/** The first start strictly after `after` (within about a year and a half), or null. */
export function nextStart(w: WindowSpec, after: number): number | null {
  let date = localDate(after, w.timeZone);
  if (date < w.startDate) date = w.startDate;
  for (let i = 0; i < 550; i++, date = addDays(date, 1)) {
    if (w.days.length === 0 && date > w.startDate) return null;
    if (w.untilDate && w.days.length && date > w.untilDate) return null;
    if (!startsOn(w, date)) continue;
    const start = zonedInstant(date, w.startTime, w.timeZone);
    if (start > after) return start;
  }
  return null;
}
