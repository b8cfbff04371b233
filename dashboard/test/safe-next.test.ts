import { describe, expect, it } from 'vitest';
import { safeNext } from '../lib/safe-next.js';

/** The login page's `?next=`: only paths on this site. */
describe('safeNext', () => {
  const origin = 'https://hub.example.test';
  it('keeps same-site paths with their query and hash', () => {
    expect(safeNext('/onboarding/', origin)).toBe('/onboarding/');
    expect(safeNext('/instance/?id=i_1#logs', origin)).toBe('/instance/?id=i_1#logs');
  });
  it('refuses anything that leaves the site', () => {
    for (const next of [
      '/\\phish.example/owned',
      '/%5Cphish.example/owned'.replace('%5C', '\\'),
      '//phish.example/owned',
      '/\t/phish.example',
      'https://phish.example/',
      'javascript:alert(1)',
      '',
      null,
    ])
      expect(safeNext(next, origin), String(next)).toBeNull();
  });
});
