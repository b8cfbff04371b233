import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { buildPgliteTemplate } from './pglite-template.js';
import { CHILD_BUNDLES_ENV, REPO_ROOT, TEST_CHILD_BUNDLES, TEST_SIDECAR_BUNDLE } from './processes.js';

const run = promisify(execFile);
const node = async (script: string, args: string[]) => {
  const { stderr } = await run(process.execPath, [path.join(REPO_ROOT, script), ...args], { cwd: REPO_ROOT });
  if (stderr) process.stderr.write(stderr);
};

/**
 * Runs once before the whole suite: makes test-artifacts/ (logs of failed end-to-end tests and the
 * durations report land there); builds the sidecar bundle that every spawned sidecar runs and the
 * bundles of the other entries tests spawn (scripts/test/processes.ts), so no test pays for
 * compiling TypeScript in each child process; makes the PGlite cluster every test hub on PGlite
 * starts from (scripts/test/pglite-template.ts); and, when the dashboard's browser tests are part
 * of the run, builds the dashboard. That build takes 1-3 minutes on a 2-core machine and over 10
 * when the machine is busy; here no hook deadline applies to it, and the test files find it
 * current (scripts/build-dashboard.mjs keeps a stamp of its inputs).
 */
export default async function setup(project: TestProject) {
  mkdirSync(path.join(REPO_ROOT, 'test-artifacts', 'logs'), { recursive: true });
  const started = Date.now();
  const timed = async (what: string, work: Promise<unknown>) => {
    await work;
    process.stdout.write(`${what} for this run ready in ${Date.now() - started} ms\n`);
  };
  // Independent and mostly waiting on their own processes: made side by side.
  await Promise.all([
    timed('sidecar bundle', node('sidecar/scripts/build.mjs', ['--outfile', TEST_SIDECAR_BUNDLE])),
    timed(
      'child bundles',
      Promise.all(
        Object.entries(TEST_CHILD_BUNDLES).map(([entry, out]) => node('scripts/test/bundle-entry.mjs', [entry, out])),
      ).then(() => {
        process.env[CHILD_BUNDLES_ENV] = '1';
      }),
    ),
    timed('PGlite template', buildPgliteTemplate()),
  ]);

  const selected = project.vitest.projects.map((p) => p.name);
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (selected.includes('dashboard') && existsSync(chromium)) {
    const t = Date.now();
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-dashboard.mjs')], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    process.stdout.write(`dashboard build checked in ${Date.now() - t} ms\n`);
  }
}
