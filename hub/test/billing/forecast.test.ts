import { describe, expect, it } from 'vitest';
import { forecastFrom } from '../../src/billing/forecast.js';

const DAY = 86_400_000;

describe('month-end forecast', () => {
  it('follows the weekday pattern, not a straight line from one day', () => {
    // Four weeks of history: weekdays cost 10, weekends 1 (UTC days).
    const now = new Date(Date.UTC(2026, 10, 16, 12)); // Monday 16 Nov, noon
    const history = [];
    for (let d = Date.UTC(2026, 9, 19); d < Date.UTC(2026, 10, 16); d += DAY) {
      const wd = new Date(d).getUTCDay();
      const weekend = wd === 0 || wd === 6;
      history.push({ day: d, messages: weekend ? 10 : 100, tokens: weekend ? 1000 : 10_000, cost: weekend ? 1 : 10 });
    }
    // Today so far: half a weekday.
    history.push({ day: Date.UTC(2026, 10, 16), messages: 50, tokens: 5000, cost: 5 });
    const f = forecastFrom(history, now);
    expect(f.method).toBe('weekday');
    expect(f.basisDays).toBe(28);
    // Month to date: 1-15 Nov has 10 weekdays and 5 weekend days, plus today's half.
    expect(f.actual.cost).toBe(10 * 10 + 5 * 1 + 5);
    // Rest: half of today (5) + 17-30 Nov: 10 weekdays, 4 weekend days.
    expect(f.projected.cost).toBeCloseTo(110 + 5 + 10 * 10 + 4 * 1, 6);
    expect(f.actual.messages).toBe(1100);
    expect(f.projected.messages).toBe(1100 + 50 + 10 * 100 + 4 * 10);
    // A straight line from today's rate would be far off: 10 a day for 30 days.
    expect(f.projected.cost).not.toBeCloseTo(300, 0);
  });

  it('says so when there is no history', () => {
    const f = forecastFrom([], new Date(Date.UTC(2026, 10, 16)));
    expect(f.method).toBe('none');
    expect(f.projected).toEqual(f.actual);
  });
});
