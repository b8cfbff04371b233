import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractArchive } from '../src/transfer/archive.js';

const root = mkdtempSync(path.join(tmpdir(), 'ds-restore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const signal = new AbortController().signal;

/** A tar.gz of a tree built by `make` (symlinks kept as links, as tar does). */
function archive(name: string, make: (dir: string) => void): string {
  const src = path.join(root, `${name}-src`);
  mkdirSync(src, { recursive: true });
  make(src);
  const file = path.join(root, `${name}.tar.gz`);
  execFileSync('tar', ['-czf', file, '-C', src, '.']);
  return file;
}

describe('restore refuses links that leave the restored tree', () => {
  it('refuses absolute links and relative links climbing out; keeps links that stay inside', async () => {
    const cases: [string, (d: string) => void][] = [
      ['absolute', (d) => symlinkSync('/etc/shadow', path.join(d, 'openclaw.json'))],
      [
        'climbing',
        (d) => {
          mkdirSync(path.join(d, 'agents'));
          symlinkSync('../../../../etc', path.join(d, 'agents', 'x'));
        },
      ],
    ];
    for (const [name, make] of cases) {
      const to = path.join(root, `${name}-out`);
      mkdirSync(to);
      await expect(extractArchive(archive(name, make), to, signal), name).rejects.toThrow(/leaves the restored tree/);
    }
    const good = archive('inside', (d) => {
      mkdirSync(path.join(d, 'agents'));
      writeFileSync(path.join(d, 'agents', 'a.json'), '{"ok":1}');
      symlinkSync('agents/a.json', path.join(d, 'current.json'));
    });
    const to = path.join(root, 'inside-out');
    mkdirSync(to);
    expect(await extractArchive(good, to, signal)).toBeGreaterThan(0);
    expect(readFileSync(path.join(to, 'current.json'), 'utf8')).toBe('{"ok":1}');
  });
});

describe('restore under the installer hardening', () => {
  it('swaps the state in place with the home read-only except ~/.openclaw (ProtectHome=read-only + ReadWritePaths)', (ctx) => {
    const home = path.join(root, 'home');
    const state = path.join(home, '.openclaw');
    mkdirSync(state, { recursive: true });
    writeFileSync(path.join(state, 'openclaw.json'), 'old');
    const script = path.join(root, 'swap.ts');
    const swapModule = path.resolve(import.meta.dirname, '../src/commands/backup-restore.ts');
    writeFileSync(
      script,
      `import { mkdirSync, writeFileSync } from 'node:fs';
import { swapIn } from ${JSON.stringify(swapModule)};
const state = ${JSON.stringify(state)};
const out = {};
try { mkdirSync(state + '.restore-old-way'); out.besideTarget = 'ok'; } catch (e) { out.besideTarget = e.code; }
const staging = state + '/.restore-t1';
mkdirSync(staging);
writeFileSync(staging + '/openclaw.json', 'restored');
swapIn(state, staging, 42);
out.swapped = 'ok';
console.log(JSON.stringify(out));`,
    );
    // The same mounts systemd makes for the unit: the home read-only, OpenClaw's state writable.
    const tsx = path.resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
    const sh = `mount --make-rprivate / && mount --bind ${home} ${home} && mount -o remount,bind,ro ${home} && mount --bind ${state} ${state} && mount -o remount,bind,rw ${state} && ${tsx} ${script}`;
    let out: string;
    try {
      out = execFileSync('unshare', ['-m', 'sh', '-c', sh], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const msg = String((e as { stderr?: string }).stderr ?? e);
      if (/unshare failed|Operation not permitted|permission denied/i.test(msg)) {
        console.warn(`hardening test skipped: no mount namespace here (${msg.trim().split('\n')[0]})`);
        return ctx.skip();
      }
      throw e;
    }
    const r = JSON.parse(out.trim().split('\n').at(-1) as string) as { besideTarget: string; swapped: string };
    // The old way (unpacking beside ~/.openclaw and renaming it) cannot work there...
    expect(r.besideTarget).toBe('EROFS');
    // ...the in-place swap does.
    expect(r.swapped).toBe('ok');
    expect(readFileSync(path.join(state, 'openclaw.json'), 'utf8')).toBe('restored');
    expect(readFileSync(path.join(state, '.pre-restore-42', 'openclaw.json'), 'utf8')).toBe('old');
  });
});
