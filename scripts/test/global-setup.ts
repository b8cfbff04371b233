import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, TEST_SIDECAR_BUNDLE } from './processes.js';

/**
 * Runs once before the whole suite: makes test-artifacts/ (logs of failed end-to-end tests and the
 * durations report land there) and builds the sidecar bundle that every spawned sidecar runs, so
 * no test pays for compiling TypeScript in each child process.
 */
export default function setup() {
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
}
