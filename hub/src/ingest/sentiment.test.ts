import { describe, expect, it } from 'vitest';
import { sentimentOf } from './sentiment.js';

describe('sentimentOf', () => {
  it('scores happy, angry and neutral messages in [-1, 1]', () => {
    const happy = sentimentOf('Thank you so much, this is great and really helpful!');
    const angry = sentimentOf('This is terrible, I am angry and the answer was useless.');
    expect(happy).toBeGreaterThan(0.2);
    expect(angry).toBeLessThan(-0.2);
    for (const s of [happy, angry]) expect(Math.abs(s ?? 0)).toBeLessThanOrEqual(1);
  });
  it('returns null when nothing can be scored', () => {
    expect(sentimentOf('')).toBeNull();
    expect(sentimentOf('What time does the store open on Tuesday?')).toBeNull();
  });
});
