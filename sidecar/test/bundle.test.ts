import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BUILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scripts/build.mjs');

// What keeps the shipped bundle's resident cost down (README, Footprint; BENCHMARKS.md sidecar.rss_mb).
describe('the sidecar bundle', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ds-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is small, ASCII, and leaves out unused zod; socks is evaluated only when used', () => {
    const out = path.join(dir, 'sidecar.mjs');
    const meta = path.join(dir, 'meta.json');
    const r = spawnSync(process.execPath, [BUILD, '--outfile', out, '--metafile', meta], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const src = readFileSync(out);
    // V8 keeps the source for the process's life: two bytes per character once any is non-ASCII
    expect(src.every((b) => b < 0x80)).toBe(true);
    expect(src.length).toBeLessThan(1.2 * 2 ** 20);
    const inputs = Object.keys(
      (Object.values(JSON.parse(readFileSync(meta, 'utf8')).outputs)[0] as { inputs: object }).inputs,
    );
    // `import { z } from 'zod'` anywhere the sidecar reaches would bring back every locale
    expect(inputs.filter((f) => /zod\/v4\/locales\/(?!en\.js|index\.js)/.test(f))).toEqual([]);
    expect(inputs).toContain('lazy-require:socks');
    const text = src.toString('latin1');
    expect(text).toMatch(/writeCache:\s*false/);
  });
});
