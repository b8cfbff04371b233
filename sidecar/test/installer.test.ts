import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHubKeyPair } from '@deepsignal/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { startMiniHub } from './helpers/mini-hub.js';

const script = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'install',
  'sidecar',
  'install.sh',
);
const root = mkdtempSync(path.join(tmpdir(), 'ds-install-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const key = generateHubKeyPair().publicKey;
const good = [
  '--hub',
  'mqtts://hub.example:8883',
  '--instance',
  'inst-42',
  '--secret',
  's3"cr\\et',
  '--hub-key',
  key,
  '--openclaw-user',
  'root',
];
const sh = (args: string[]) => spawnSync('bash', [script, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('sidecar installer', () => {
  it('--help explains every option', () => {
    const r = sh(['--help']);
    expect(r.status).toBe(0);
    for (const o of [
      '--hub',
      '--instance',
      '--secret',
      '--hub-key',
      '--uninstall',
      '--destdir',
      '--dry-run',
      '--purge',
      '--bundle',
      '--openclaw-unit',
    ])
      expect(r.stdout).toContain(o);
  });

  it('refuses bad arguments with exit 2 and names the argument', () => {
    const cases: [string[], RegExp][] = [
      [['--hub', 'http://x', '--instance', 'i', '--secret', 's', '--hub-key', key], /--hub/],
      [['--hub', 'mqtt://x', '--instance', 'a/b', '--secret', 's', '--hub-key', key], /--instance/],
      [['--hub', 'mqtt://x', '--instance', 'i', '--secret', 's', '--hub-key', 'nope'], /--hub-key/],
      [['--hub', 'mqtt://x', '--instance', 'i', '--hub-key', key], /--secret/],
      [['--bogus', '1'], /--bogus/],
      [['--hub'], /--hub/],
    ];
    for (const [args, re] of cases) {
      const r = sh(['--destdir', root, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('renders config (0600), the bundle and a hardened unit into a DESTDIR, idempotently, and uninstalls', () => {
    const dest = path.join(root, 'r1');
    const r = sh([...good, '--destdir', dest]);
    expect(r.status, r.stderr).toBe(0);
    const conf = path.join(dest, 'etc/deepsignal/sidecar.json');
    expect(statSync(conf).mode & 0o777).toBe(0o600);
    const first = readFileSync(conf, 'utf8');
    const cfg = JSON.parse(first);
    // the rendered file is a valid sidecar config, secret escaped correctly
    expect(parseConfig(cfg)).toMatchObject({
      hub: 'mqtts://hub.example:8883',
      instanceId: 'inst-42',
      secret: 's3"cr\\et',
      stateDir: '/var/lib/deepsignal',
    });
    const unit = readFileSync(path.join(dest, 'etc/systemd/system/deepsignal-sidecar.service'), 'utf8');
    for (const line of [
      'Restart=always',
      'User=deepsignal',
      'ProtectSystem=strict',
      'ProtectHome=read-only',
      'PrivateTmp=no',
      'NoNewPrivileges=yes',
      '--config /etc/deepsignal/sidecar.json',
      // the bundle, with the V8 limits measured in BENCHMARKS.md; no tsx, no source tree
      'ExecStart=/usr/bin/env node --max-semi-space-size=1 --max-old-space-size=32 /opt/deepsignal/deepsignal-sidecar.mjs',
    ]) {
      expect(unit).toContain(line);
    }
    // backup.restore swaps OpenClaw's state in place: that directory stays writable.
    expect(unit).toMatch(/^ReadWritePaths=-\S+\/\.openclaw$/m);
    const opt = path.join(dest, 'opt/deepsignal');
    const bundle = path.join(opt, 'deepsignal-sidecar.mjs');
    expect(existsSync(bundle)).toBe(true);
    for (const gone of ['sidecar', 'protocol', 'package.json', 'node_modules/tsx']) {
      expect(existsSync(path.join(opt, gone)), gone).toBe(false);
    }
    // only the bundle's runtime externals sit beside it
    expect(existsSync(path.join(opt, 'node_modules/systeminformation/package.json'))).toBe(true);
    expect(existsSync(path.join(opt, 'node_modules/@lydell/node-pty/package.json'))).toBe(true);
    expect(existsSync(path.join(opt, 'node_modules/mqtt'))).toBe(false);
    // no systemd fallback for openclaw.restart unless a unit is known
    expect(cfg.openclawUnit).toBeUndefined();
    expect(r.stdout).toContain('would run: systemctl enable deepsignal-sidecar.service');
    const firstBundle = readFileSync(bundle);
    const again = sh([...good, '--destdir', dest]);
    expect(again.status).toBe(0);
    expect(readFileSync(conf, 'utf8')).toBe(first);
    expect(readFileSync(bundle).equals(firstBundle)).toBe(true);
    const u = sh(['--uninstall', '--purge', '--destdir', dest]);
    expect(u.status).toBe(0);
    expect(existsSync(conf)).toBe(false);
    expect(existsSync(path.join(dest, 'etc/systemd/system/deepsignal-sidecar.service'))).toBe(false);
  });

  it('ships a given --bundle and names the OpenClaw unit given or found as a system unit', () => {
    const dest = path.join(root, 'r2');
    const prebuilt = path.join(root, 'prebuilt.mjs');
    writeFileSync(prebuilt, '// a prebuilt bundle\n');
    const r = sh([...good, '--destdir', dest, '--bundle', prebuilt, '--openclaw-unit', 'oc-gw.service']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(dest, 'opt/deepsignal/deepsignal-sidecar.mjs'), 'utf8')).toBe(
      '// a prebuilt bundle\n',
    );
    const cfg = JSON.parse(readFileSync(path.join(dest, 'etc/deepsignal/sidecar.json'), 'utf8'));
    expect(parseConfig(cfg).openclawUnit).toBe('oc-gw.service');
    expect(sh([...good, '--destdir', dest, '--openclaw-unit', 'a b']).status).toBe(2);
    expect(sh([...good, '--destdir', dest, '--bundle', path.join(root, 'missing.mjs')]).status).toBe(2);
    // a system unit for the gateway on the machine is picked up
    const dest3 = path.join(root, 'r3');
    mkdirSync(path.join(dest3, 'etc/systemd/system'), { recursive: true });
    writeFileSync(path.join(dest3, 'etc/systemd/system/openclaw-gateway.service'), '[Service]\n');
    expect(sh([...good, '--destdir', dest3, '--bundle', prebuilt]).status).toBe(0);
    const cfg3 = JSON.parse(readFileSync(path.join(dest3, 'etc/deepsignal/sidecar.json'), 'utf8'));
    expect(cfg3.openclawUnit).toBe('openclaw-gateway.service');
  });

  it("the installed bundle runs under the unit's node flags and delivers to a hub", async () => {
    const dest = path.join(root, 'r4');
    expect(sh([...good, '--destdir', dest]).status).toBe(0);
    const unit = readFileSync(path.join(dest, 'etc/systemd/system/deepsignal-sidecar.service'), 'utf8');
    const exec =
      /^ExecStart=\/usr\/bin\/env node (.*) \/opt\/deepsignal\/deepsignal-sidecar\.mjs --config (\S+)$/m.exec(unit);
    expect(exec).not.toBeNull();
    const hub = await startMiniHub({ 'inst-42': 's3"cr\\et' });
    const state = path.join(root, 'r4-state');
    const child = spawn(
      process.execPath,
      [
        ...exec![1].split(' '),
        path.join(dest, 'opt/deepsignal/deepsignal-sidecar.mjs'),
        '--config',
        path.join(dest, exec![2]),
        '--hub',
        hub.url,
        '--state-dir',
        state,
        '--openclaw-url',
        'ws://127.0.0.1:9',
        '--openclaw-log-dir',
        path.join(state, 'no-logs'),
        '--sample-interval-ms',
        '100',
        '--batch-interval-ms',
        '200',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    try {
      await hub.waitFor(() => hub.stored.some((m) => m.instanceId === 'inst-42' && m.kind === 'metrics'), 15_000);
      expect(hub.rejected).toEqual([]);
    } catch (e) {
      throw new Error(`${(e as Error).message}: ${err}`);
    } finally {
      child.kill('SIGKILL');
      await hub.close();
    }
  }, 30_000);

  it('--dry-run changes nothing', () => {
    const r = sh([...good, '--dry-run', '--prefix', path.join(root, 'never')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('would write');
    expect(existsSync(path.join(root, 'never'))).toBe(false);
  });

  it('is shellcheck-clean when shellcheck is installed', () => {
    const which = spawnSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' });
    if (which.status !== 0) return;
    const r = spawnSync('shellcheck', [script], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
