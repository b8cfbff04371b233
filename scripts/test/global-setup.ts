import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT, TEST_SIDECAR_BUNDLE } from './processes.js';

/**
 * Runs once before the whole suite: makes test-artifacts/ (logs of failed end-to-end tests and the
 * durations report land there), builds the sidecar bundle that every spawned sidecar runs, so no
 * test pays for compiling TypeScript in each child process, and, when the dashboard's browser
 * tests are part of the run, builds the dashboard. That build takes 1-3 minutes on a 2-core
 * machine and over 10 when the machine is busy; here no hook deadline applies to it, and the
 * test files find it current (scripts/build-dashboard.mjs keeps a stamp of its inputs).
 */
export default function setup(project: TestProject) {
  mkdirSync(path.join(REPO_ROOT, 'test-artifacts', 'logs'), { recursive: true });
  const started = Date.now();
  execFileSync(
    process.execPath,
    [path.join(REPO_ROOT, 'sidecar/scripts/build.mjs'), '--outfile', TEST_SIDECAR_BUNDLE],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  process.stdout.write(`sidecar bundle for this run built in ${Date.now() - started} ms\n`);

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
