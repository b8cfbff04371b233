import { describe, expect, it } from 'vitest';
import { localDate, nextStart, occurrenceAt, zonedInstant } from '../../src/maintenance/recurrence.js';

const weekly = {
  timeZone: 'Europe/Berlin',
  startDate: '2026-03-01',
  startTime: '02:00',
  durationMin: 120,
  days: [0], // Sundays
  untilDate: null,
};

describe('maintenance window recurrence (time zones, DST)', () => {
  it('turns a local time into the right instant on both sides of a DST change', () => {
    // Berlin is UTC+1 in winter and UTC+2 in summer (switch on 2026-03-29).
    expect(new Date(zonedInstant('2026-03-22', '02:00', 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-22T01:00:00.000Z',
    );
    expect(new Date(zonedInstant('2026-04-05', '02:00', 'Europe/Berlin')).toISOString()).toBe(
      '2026-04-05T00:00:00.000Z',
    );
    expect(new Date(zonedInstant('2026-07-01', '09:30', 'America/New_York')).toISOString()).toBe(
      '2026-07-01T13:30:00.000Z',
    );
    expect(localDate(Date.parse('2026-07-01T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-07-02');
  });

  it('is open during an occurrence and closed outside it', () => {
    const inWindow = Date.parse('2026-03-22T02:30:00Z'); // 03:30 Berlin, Sunday
    const o = occurrenceAt(weekly, inWindow);
    expect(o && new Date(o.start).toISOString()).toBe('2026-03-22T01:00:00.000Z');
    expect(o && new Date(o.end).toISOString()).toBe('2026-03-22T03:00:00.000Z');
    expect(occurrenceAt(weekly, Date.parse('2026-03-22T03:00:00Z'))).toBeNull();
    expect(occurrenceAt(weekly, Date.parse('2026-03-23T02:30:00Z'))).toBeNull(); // a Monday
    expect(occurrenceAt(weekly, Date.parse('2026-02-22T01:30:00Z'))).toBeNull(); // before the first day
  });

  it('an overnight window is found from the next local day', () => {
    const night = { ...weekly, startTime: '23:00', durationMin: 180, days: [6] }; // Saturday 23:00 for 3 h
    expect(occurrenceAt(night, Date.parse('2026-03-08T00:30:00Z'))).not.toBeNull(); // Sunday 01:30 Berlin
  });

  it('finds the next start, respects untilDate and single windows', () => {
    expect(new Date(nextStart(weekly, Date.parse('2026-03-22T01:00:00Z')) as number).toISOString()).toBe(
      '2026-03-29T01:00:00.000Z', // the DST Sunday: 02:00 does not exist; it starts at 03:00 CEST
    );
    expect(nextStart({ ...weekly, untilDate: '2026-03-10' }, Date.parse('2026-03-09T00:00:00Z'))).toBeNull();
    const once = { ...weekly, days: [], startDate: '2026-05-01' };
    expect(new Date(nextStart(once, Date.parse('2026-04-01T00:00:00Z')) as number).toISOString()).toBe(
      '2026-05-01T00:00:00.000Z',
    );
    expect(nextStart(once, Date.parse('2026-05-02T00:00:00Z'))).toBeNull();
  });
});
