import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_ROOT = path.resolve(DASHBOARD_DIR, '..');
export const OUT_DIR = path.join(DASHBOARD_DIR, 'out');
export const ARTIFACTS_DIR = path.join(DASHBOARD_DIR, 'test-artifacts');

/** Builds the static export unless the cached one is current (scripts/build-dashboard.mjs). */
export function ensureDashboardBuilt() {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-dashboard.mjs')], {
    stdio: 'inherit',
    cwd: REPO_ROOT,
  });
  if (!existsSync(path.join(OUT_DIR, 'index.html'))) throw new Error('dashboard build produced no out/index.html');
}
