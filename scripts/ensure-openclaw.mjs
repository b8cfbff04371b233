#!/usr/bin/env node
/**
 * Makes sure a real OpenClaw gateway can be run by the tests: installs Node 24 (npm package
 * `node@24`) and a pinned `openclaw` into `.cache/openclaw-runtime` with `npm install --prefix`.
 *
 * Idempotent and offline-safe: when both are already present and `openclaw --version` answers
 * with the pinned version, nothing is downloaded. Prints the runtime as JSON on stdout:
 *   {"node": "<path to node 24>", "openclaw": "<path to openclaw.mjs>", "version": "2026.9.6"}
 *
 * Why a private prefix: OpenClaw needs Node >= 24.16 while the project runs on Node 20, and on
 * Node 20 an unpinned `npm install openclaw` silently resolves to an empty placeholder package.
 *
 * Usage: node scripts/ensure-openclaw.mjs [--quiet]
 * Env:   DS_OPENCLAW_RUNTIME (install dir), DS_OPENCLAW_VERSION (default 2026.9.6)
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OPENCLAW_VERSION = process.env.DS_OPENCLAW_VERSION || '2026.9.6';
const NODE_SPEC = 'node@24';
const quiet = process.argv.includes('--quiet');
const log = (m) => {
  if (!quiet) process.stderr.write(`ensure-openclaw: ${m}\n`);
};

/** Where the runtime lives. */
export function runtimeDir() {
  return process.env.DS_OPENCLAW_RUNTIME || path.join(root, '.cache', 'openclaw-runtime');
}

function paths(dir) {
  return {
    node: path.join(dir, 'node', 'node_modules', 'node', 'bin', 'node'),
    openclaw: path.join(dir, 'openclaw', 'node_modules', 'openclaw', 'openclaw.mjs'),
    openclawPkg: path.join(dir, 'openclaw', 'node_modules', 'openclaw', 'package.json'),
  };
}

function npm(args, cwd) {
  // Use the npm that runs this script's Node, so no global tool is assumed.
  execFileSync('npm', args, {
    cwd,
    stdio: quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' },
  });
}

function nodeOk(node) {
  if (!existsSync(node)) return false;
  try {
    const v = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    return /^v24\./.test(v);
  } catch {
    return false;
  }
}

function openclawVersion(node, entry) {
  if (!existsSync(entry)) return null;
  try {
    const out = execFileSync(node, [entry, '--version'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, OPENCLAW_NO_TELEMETRY: '1', NO_COLOR: '1' },
    });
    const m = /(\d{4}\.\d+\.\d+)/.exec(out);
    return m ? m[1] : out.trim();
  } catch {
    return null;
  }
}

/** A crude cross-process lock so parallel test files do not install twice into one prefix. */
async function withLock(dir, fn) {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '.lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      writeFileSync(lock, String(process.pid));
      break;
    } catch {
      let holder = 0;
      try {
        holder = Number(readFileSync(lock, 'utf8')) || 0;
      } catch {}
      let alive = false;
      try {
        if (holder) process.kill(holder, 0);
        alive = holder > 0;
      } catch {}
      if (!alive && holder) {
        try {
          unlinkSync(lock);
        } catch {}
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {}
  }
}

/** Installs what is missing and returns the runtime's paths. */
export async function ensureOpenclaw() {
  const dir = runtimeDir();
  const p = paths(dir);
  return withLock(dir, async () => {
    if (!nodeOk(p.node)) {
      log(`installing ${NODE_SPEC} into ${dir}/node`);
      mkdirSync(path.join(dir, 'node'), { recursive: true });
      npm(['install', '--prefix', path.join(dir, 'node'), '--no-save', '--no-package-lock', NODE_SPEC], dir);
      if (!nodeOk(p.node)) throw new Error(`${NODE_SPEC} did not install a working Node 24 at ${p.node}`);
    }
    let version = openclawVersion(p.node, p.openclaw);
    if (version !== OPENCLAW_VERSION) {
      log(`installing openclaw@${OPENCLAW_VERSION} into ${dir}/openclaw (found ${version ?? 'none'})`);
      mkdirSync(path.join(dir, 'openclaw'), { recursive: true });
      // Run npm under Node 24 so the engine range of openclaw is satisfied.
      const nodeBin = path.dirname(p.node);
      execFileSync(
        'npm',
        [
          'install',
          '--prefix',
          path.join(dir, 'openclaw'),
          '--no-save',
          '--no-package-lock',
          `openclaw@${OPENCLAW_VERSION}`,
        ],
        {
          cwd: dir,
          stdio: quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'],
          env: {
            ...process.env,
            PATH: `${nodeBin}:${process.env.PATH}`,
            npm_config_fund: 'false',
            npm_config_audit: 'false',
          },
        },
      );
      version = openclawVersion(p.node, p.openclaw);
      if (version !== OPENCLAW_VERSION) {
        throw new Error(`openclaw --version answered ${version ?? 'nothing'}, expected ${OPENCLAW_VERSION}`);
      }
    }
    return { node: p.node, openclaw: p.openclaw, version, dir };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureOpenclaw().then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
    },
    (e) => {
      process.stderr.write(`ensure-openclaw: ${e.message}\n`);
      process.exit(1);
    },
  );
}
