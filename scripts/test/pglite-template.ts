import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './processes.js';

/**
 * A PGlite cluster made once per run, with the hub's migrations applied, copied into the data
 * directory of every test hub on PGlite.
 *
 * A hub on a fresh data directory first runs PGlite's initdb (WebAssembly), then every migration:
 * initdb alone takes 4.9 s of CPU (6-9.5 s wall on a 2-core machine at load 10-14) and the
 * migrations 0.9 s more, against 1.1 s of CPU to copy a cluster made before and open it (measured with
 * `new PGlite(dir)` as the hub opens it). The copy holds the schema and nothing else: each hub
 * still runs the migrator (which finds this run's migrations applied) and makes its own keys and
 * admin. Tests of the migrations themselves open their own databases.
 */
const TEMPLATE_DATA_DIR = path.join(REPO_ROOT, 'hub/dist/test/pglite-template');
/** The cluster itself: `db` under a hub's data directory, as openPglite lays it out. */
export const TEST_PGLITE_TEMPLATE = path.join(TEMPLATE_DATA_DIR, 'db');

/** Set by the global setup once the template is made; processes of the run inherit it. */
const ENV = 'DS_TEST_PGLITE_TEMPLATE';

const STAMP = path.join(TEMPLATE_DATA_DIR, 'stamp');

/** What the cluster is made from: the migrations, the code that opens and migrates, PGlite's version (lockfile). */
function inputsHash(): string {
  const h = createHash('sha256');
  const drizzle = path.join(REPO_ROOT, 'hub/drizzle');
  const files = readdirSync(drizzle, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
  for (const f of [
    ...files,
    path.join(REPO_ROOT, 'hub/src/db/client.ts'),
    path.join(REPO_ROOT, 'hub/src/db/migrate.ts'),
    path.join(REPO_ROOT, 'package-lock.json'),
  ])
    h.update(path.relative(REPO_ROOT, f)).update('\0').update(readFileSync(f));
  return h.digest('hex');
}

/**
 * Makes the template unless the one from an earlier run was made from the same inputs (the global
 * setup, once per run; 6-16 s on the loaded machine) and announces it to the run's processes.
 */
export async function buildPgliteTemplate(): Promise<void> {
  const hash = inputsHash();
  if (existsSync(TEST_PGLITE_TEMPLATE) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) {
    process.env[ENV] = TEST_PGLITE_TEMPLATE;
    return;
  }
  rmSync(TEMPLATE_DATA_DIR, { recursive: true, force: true });
  // In a child: PGlite's WebAssembly heap is freed with it, not kept by the test runner. The
  // hub's own open and migrate functions, so the cluster is the one a hub would make.
  const src = (f: string) => JSON.stringify(path.join(REPO_ROOT, 'hub/src/db', f));
  const script = `const { openPglite } = await import(${src('client.ts')});
const { migrate } = await import(${src('migrate.ts')});
const db = await openPglite(${JSON.stringify(TEMPLATE_DATA_DIR)});
await migrate(db);
await db.close();`;
  await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
  });
  writeFileSync(STAMP, hash);
  process.env[ENV] = TEST_PGLITE_TEMPLATE;
}

/**
 * Gives a hub's fresh `dataDir` the run's migrated PGlite cluster (`dataDir/db`, where the hub
 * opens it). Without a template (a test file run outside the suite's setup) the hub makes its own.
 */
export function seedPgliteDataDir(dataDir: string): void {
  const template = process.env[ENV];
  const target = path.join(dataDir, 'db');
  if (!template || !existsSync(template) || existsSync(target)) return;
  cpSync(template, target, { recursive: true });
}
