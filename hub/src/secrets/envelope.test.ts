import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { open, seal } from './envelope.js';
import { addMasterKey, loadMasterKeyring, parseMasterKeys } from './keyring.js';

describe('envelope encryption', () => {
  it('round-trips, and refuses a wrong key, a wrong binding and a tampered value', () => {
    const key = randomBytes(32);
    const s = seal(key, 'sk-ant-secret', 'secret:cli-a:anthropic');
    expect(s).not.toContain('sk-ant');
    expect(open(key, s, 'secret:cli-a:anthropic').toString()).toBe('sk-ant-secret');
    expect(() => open(randomBytes(32), s, 'secret:cli-a:anthropic')).toThrow();
    expect(() => open(key, s, 'secret:cli-b:anthropic')).toThrow();
    const parts = s.split('.');
    const ct = Buffer.from(parts[3], 'base64url');
    ct[0] ^= 1;
    expect(() =>
      open(key, [...parts.slice(0, 3), ct.toString('base64url')].join('.'), 'secret:cli-a:anthropic'),
    ).toThrow();
    expect(seal(key, 'x', 'a')).not.toBe(seal(key, 'x', 'a')); // fresh IV each time
  });

  it('loads master keys from the environment form, generates a file on first start, and adds keys', () => {
    const k = randomBytes(32).toString('base64');
    expect(parseMasterKeys(`m1:${k}`)[0].id).toBe('m1');
    expect(parseMasterKeys(k)[0].id).toMatch(/^k[0-9a-f]{8}$/);
    expect(() => parseMasterKeys('m1:c2hvcnQ=')).toThrow(/32 bytes/);
    const dir = mkdtempSync(join(tmpdir(), 'mk-'));
    try {
      const ring = loadMasterKeyring({ dataDir: dir });
      expect(ring.file).toBe(join(dir, 'master-key'));
      const again = loadMasterKeyring({ dataDir: dir });
      expect(again.keys[0].key.equals(ring.keys[0].key)).toBe(true);
      const added = addMasterKey(ring);
      expect(loadMasterKeyring({ dataDir: dir }).keys.map((x) => x.id)).toEqual([added.id, again.keys[0].id]);
      expect(readFileSync(join(dir, 'master-key'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
      expect(() => loadMasterKeyring({ dataDir: dir, masterKeyFile: join(dir, 'missing') })).toThrow(
        /DS_MASTER_KEY_FILE/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
