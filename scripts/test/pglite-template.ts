import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './processes.js';

/**
 * A PGlite cluster made once per run, copied into the data directory of every test hub on PGlite.
 *
 * A hub on a fresh data directory first runs PGlite's initdb (WebAssembly): 5.5 s on a 2-core
 * machine at load 10, 8.5 s at load 12, against 0.2 s to copy a cluster made before and 0.65 s to
 * open it (measured with `new PGlite(dir)` as the hub opens it). The copy holds what initdb makes
 * and nothing more: each hub still applies every migration and creates its keys and admin itself.
 */
export const TEST_PGLITE_TEMPLATE = path.join(REPO_ROOT, 'hub/dist/test/pglite-template');

/** Set by the global setup once the template is made; processes of the run inherit it. */
const ENV = 'DS_TEST_PGLITE_TEMPLATE';

/** Makes the template (the global setup, once per run) and announces it to the run's processes. */
export async function buildPgliteTemplate(): Promise<void> {
  rmSync(TEST_PGLITE_TEMPLATE, { recursive: true, force: true });
  mkdirSync(TEST_PGLITE_TEMPLATE, { recursive: true }); // as the hub makes its `db` directory
  // In a child: PGlite's WebAssembly heap is freed with it, not kept by the test runner.
  const script = `import { PGlite } from '@electric-sql/pglite';
const db = new PGlite(${JSON.stringify(TEST_PGLITE_TEMPLATE)});
await db.waitReady;
await db.close();`;
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.join(REPO_ROOT, 'hub'),
  });
  process.env[ENV] = TEST_PGLITE_TEMPLATE;
}

/**
 * Gives a hub's fresh `dataDir` the run's initialised PGlite cluster (`dataDir/db`, where the hub
 * opens it). Without a template (a test file run outside the suite's setup) the hub makes its own.
 */
export function seedPgliteDataDir(dataDir: string): void {
  const template = process.env[ENV];
  const target = path.join(dataDir, 'db');
  if (!template || !existsSync(template) || existsSync(target)) return;
  cpSync(template, target, { recursive: true });
}
