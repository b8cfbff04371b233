import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHubKeyPair } from '@deepsignal/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';
import { ConfigError, loadConfig, SETTINGS } from './config.js';

const key = generateHubKeyPair().publicKey;
const base = { hub: 'mqtt://127.0.0.1:1883', instanceId: 'inst-1', secret: 's3cret', hubKey: key };
const dir = mkdtempSync(path.join(tmpdir(), 'ds-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli.ts');

function run(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DS_')));
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    env: { ...clean, ...env },
    timeout: 20_000,
  });
}

describe('config', () => {
  it('fills defaults and gives flags precedence over env over the config file', () => {
    const file = path.join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ ...base, 'state-dir': '/from-file', batchIntervalMs: 7000 }));
    const c = loadConfig(
      { config: file, stateDir: '/from-flag' },
      { DS_BATCH_INTERVAL_MS: '3000', DS_STATE_DIR: '/from-env' },
    );
    expect(c.stateDir).toBe('/from-flag');
    expect(c.batchIntervalMs).toBe(3000);
    expect(c.openclawUrl).toBe('ws://127.0.0.1:18789');
    expect(c.sampleIntervalMs).toBe(1000);
    expect(c.outboxMaxMb).toBe(512);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names the setting at fault', () => {
    const bad = (over: Record<string, unknown>) => {
      try {
        loadConfig({ ...base, ...over }, {});
      } catch (e) {
        return (e as ConfigError).message;
      }
      return 'no error';
    };
    expect(bad({ hub: 'http://x' })).toMatch(/--hub \(DS_HUB\)/);
    expect(bad({ hubKey: 'nope' })).toMatch(/--hub-key \(DS_HUB_PUBLIC_KEY\)/);
    expect(bad({ instanceId: 'a/b' })).toMatch(/--instance \(DS_INSTANCE_ID\)/);
    expect(bad({ sampleIntervalMs: 'fast' })).toMatch(/--sample-interval-ms/);
    expect(bad({ openclawUrl: 'http://x' })).toMatch(/--openclaw-url/);
    expect(bad({ secret: undefined })).toMatch(/--secret \(DS_INSTANCE_SECRET\): is required/);
  });

  it('refuses hostile config files with a one-line error', () => {
    const cases = ['[1,2]', '{"__proto__": {"x": 1}}', '{"hub": {"nested": true}}', 'not json', '{"evil": 1}', '"str"'];
    for (const c of cases) {
      const f = path.join(dir, 'h.json');
      writeFileSync(f, c);
      expect(() => loadConfig({ config: f }, {})).toThrow(ConfigError);
    }
    expect(() => loadConfig({ config: path.join(dir, 'missing.json') }, {})).toThrow(/--config \(DS_CONFIG\)/);
  });

  it('parses flags', () => {
    expect(parseArgs(['--hub', 'mqtt://h', '--state-dir=/x']).flags).toEqual({ hub: 'mqtt://h', stateDir: '/x' });
    expect(() => parseArgs(['--nope', '1'])).toThrow(/--nope/);
    expect(() => parseArgs(['--hub'])).toThrow(/needs a value/);
  });

  it('CLI: --help lists every setting; bad settings exit 2 with one line', () => {
    const h = run(['--help']);
    expect(h.status).toBe(0);
    for (const s of SETTINGS) {
      expect(h.stdout).toContain(`--${s.flag}`);
      expect(h.stdout).toContain(s.env);
    }
    const b = run(['--hub', 'ftp://x', '--instance', 'i', '--secret', 's', '--hub-key', key]);
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/--hub \(DS_HUB\)/);
    const f = path.join(dir, 'hostile.json');
    writeFileSync(f, '{"hub": "mqtt://x", "x\\nmulti\\nline": 1}');
    const c = run(['--config', f]);
    expect(c.status).toBe(2);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
    const m = run([], { DS_HUB: 'mqtt://x' });
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/--instance \(DS_INSTANCE_ID\): is required/);
  });
});
