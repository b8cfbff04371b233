/**
 * Business time in a client's time zone, with Intl only (no time-zone database of our own):
 * SLA clocks count milliseconds inside working hours on working days, local to the client.
 */
import { isTimeZone, wallAsUtc } from '../util/zoned-time.js';

export interface BusinessHours {
  timeZone: string;
  /** Local hour the working day starts (0-23) and ends (1-24). */
  dayStartHour: number;
  dayEndHour: number;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  workDays: readonly number[];
}

export const DEFAULT_HOURS: BusinessHours = {
  timeZone: 'UTC',
  dayStartHour: 9,
  dayEndHour: 17,
  workDays: [1, 2, 3, 4, 5],
};

/** Whether Intl knows the zone (an IANA name such as Europe/Berlin). */
export const validTimeZone = isTimeZone;

/** The instant at which the zone's wall clock shows y-m-d h:00 (DST gaps resolve forward). */
function zonedInstant(y: number, m: number, d: number, h: number, timeZone: string): number {
  const wall = Date.UTC(y, m, d, h);
  let t = wall;
  for (let i = 0; i < 3; i++) {
    const offset = wallAsUtc(t, timeZone) - t;
    const next = wall - offset;
    if (next === t) break;
    t = next;
  }
  return t;
}

/** Business milliseconds between two instants (0 when to <= from). */
export function businessMsBetween(from: number, to: number, hours: BusinessHours = DEFAULT_HOURS): number {
  if (!(to > from)) return 0;
  const start = new Date(wallAsUtc(from, hours.timeZone));
  let y = start.getUTCFullYear();
  let m = start.getUTCMonth();
  let d = start.getUTCDate();
  let total = 0;
  // One local day at a time; bounded so a bad input can never spin (about three years).
  for (let i = 0; i < 1200; i++) {
    const dayStart = zonedInstant(y, m, d, 0, hours.timeZone);
    if (dayStart >= to) break;
    const isoDay = ((new Date(Date.UTC(y, m, d)).getUTCDay() + 6) % 7) + 1;
    if (hours.workDays.includes(isoDay)) {
      const open = zonedInstant(y, m, d, hours.dayStartHour, hours.timeZone);
      const close = zonedInstant(y, m, d, hours.dayEndHour, hours.timeZone);
      total += Math.max(0, Math.min(to, close) - Math.max(from, open));
    }
    const next = new Date(Date.UTC(y, m, d + 1));
    y = next.getUTCFullYear();
    m = next.getUTCMonth();
    d = next.getUTCDate();
  }
  return total;
}
