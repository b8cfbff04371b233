#!/usr/bin/env node
/**
 * Builds the dashboard's static export (dashboard/out) only when its inputs changed since the
 * last build: a hash of the dashboard sources, the protocol sources it imports and the lockfile
 * is kept in dashboard/out/.build-stamp. Cached runs take well under a second.
 *
 *   node scripts/build-dashboard.mjs          build if needed
 *   node scripts/build-dashboard.mjs --force  always build
 *   node scripts/build-dashboard.mjs --check  exit 0 when up to date, 1 when a build is needed
 *
 * A lock directory keeps two callers (npm start, parallel test files) from building at once.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dash = join(root, 'dashboard');
const out = join(dash, 'out');
const stampFile = join(out, '.build-stamp');
const lockDir = join(dash, '.build-lock');
const timeFile = join(dash, '.build-seconds');
const INPUTS = [
  'dashboard/app',
  'dashboard/components',
  'dashboard/lib',
  'dashboard/public',
  'dashboard/next.config.ts',
  'dashboard/postcss.config.mjs',
  'dashboard/tsconfig.json',
  'dashboard/package.json',
  'protocol/src',
  'package-lock.json',
];
const SKIP = /(^|\/)(node_modules|\.next|out|test|test-artifacts)(\/|$)|\.test\.tsx?$/;

const log = (msg) => process.stdout.write(`[dashboard] ${msg}\n`);

function files(p) {
  const abs = join(root, p);
  if (!existsSync(abs)) return [];
  const st = statSync(abs);
  if (st.isFile()) return [p];
  return readdirSync(abs, { withFileTypes: true })
    .flatMap((d) => {
      const rel = `${p}/${d.name}`;
      if (SKIP.test(relative('dashboard', rel)) && rel.startsWith('dashboard/')) return [];
      return d.isDirectory() ? files(rel) : [rel];
    })
    .sort();
}

function inputHash() {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap(files)) {
    h.update(f);
    h.update('\0');
    h.update(readFileSync(join(root, f)));
    h.update('\0');
  }
  return h.digest('hex');
}

const upToDate = (hash) =>
  existsSync(join(out, 'index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === hash;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function acquireLock() {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lockDir);
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock older than 10 minutes is left over from a killed build.
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > 600_000) rmSync(lockDir, { recursive: true, force: true });
      } catch {
        // released between our attempt and the check: try again
      }
      if (Date.now() - started > 2000 && (Date.now() - started) % 10_000 < 500)
        log('waiting for another build to finish…');
      await sleep(500);
    }
  }
}

function runNextBuild() {
  return new Promise((resolve, reject) => {
    const nextBin = join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
    const child = spawn(process.execPath, [nextBin, 'build', '--webpack'], {
      cwd: dash,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const onData = (chunk) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-8000);
      for (const line of text.split('\n')) {
        const l = line.trim();
        // Progress lines only; the full output is printed if the build fails.
        if (/^(✓|Creating|Compiled|Running TypeScript|Finished|Generating static pages \(|Export)/.test(l)) log(l);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build exited with ${code}\n${tail}`))));
  });
}

async function main() {
  const args = new Set(process.argv.slice(2));
  let hash = inputHash();
  if (args.has('--check')) process.exit(upToDate(hash) ? 0 : 1);
  if (!args.has('--force') && upToDate(hash)) {
    log('up to date (cached build in dashboard/out)');
    return;
  }
  await acquireLock();
  try {
    hash = inputHash();
    if (!args.has('--force') && upToDate(hash)) {
      log('up to date (built by another process)');
      return;
    }
    const t0 = Date.now();
    // The last build's duration on this machine, kept beside the sources (out/ is rebuilt).
    let last = null;
    try {
      last = Number(readFileSync(timeFile, 'utf8').trim()) || null;
    } catch {}
    log(
      last
        ? `building the static export (the last build here took ${Math.round(last)} s)…`
        : 'building the static export (about 1-3 minutes on a 2-core machine, longer when it is busy; once: later starts reuse it)…',
    );
    await runNextBuild();
    writeFileSync(stampFile, `${hash}\n`);
    const took = (Date.now() - t0) / 1000;
    writeFileSync(timeFile, `${took.toFixed(1)}\n`);
    log(`built in ${took.toFixed(1)} s`);
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`[dashboard] build failed: ${e.message}\n`);
  process.exit(1);
});
