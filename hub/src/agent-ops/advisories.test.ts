import { describe, expect, it } from 'vitest';
import { parseNpmBulk } from './advisories.js';

describe("npm's bulk advisory answer", () => {
  it('keeps the packages the fleet runs, in the hub’s words', () => {
    const list = parseNpmBulk({
      openclaw: [
        { id: 1101, title: 'Token reuse', severity: 'high', vulnerable_versions: '<2026.3.0', url: 'https://x/1101' },
        { id: 'GHSA-aaaa', title: 'Odd', severity: 'extreme', vulnerable_versions: '2026.5.0' },
        { id: 7, title: 'no range' },
      ],
      leftpad: [{ id: 1, vulnerable_versions: '*' }],
    });
    expect(list).toEqual([
      {
        id: '1101',
        package: 'openclaw',
        title: 'Token reuse',
        severity: 'high',
        vulnerableVersions: '<2026.3.0',
        url: 'https://x/1101',
      },
      {
        id: 'GHSA-aaaa',
        package: 'openclaw',
        title: 'Odd',
        severity: 'moderate',
        vulnerableVersions: '2026.5.0',
        url: null,
      },
    ]);
    expect(parseNpmBulk({})).toEqual([]);
  });

  it('turns anything else into a clear error', () => {
    expect(() => parseNpmBulk(null)).toThrow(/object of packages/);
    expect(() => parseNpmBulk([1])).toThrow(/object of packages/);
    expect(() => parseNpmBulk({ openclaw: 'nope' })).toThrow(/openclaw are not a list/);
  });
});
