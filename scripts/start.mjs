#!/usr/bin/env node
// `npm start`: runs the hub from source through tsx, forwarding arguments, signals and the exit code.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
// The dashboard is a static export the hub serves; build it when its sources changed (cached otherwise).
if (!args.includes('--help') && !args.includes('-h') && process.env.DS_SKIP_DASHBOARD_BUILD !== '1') {
  const built = spawnSync(process.execPath, [join(root, 'scripts/build-dashboard.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (built.status !== 0) console.error('dashboard build failed: starting the hub with its placeholder page');
}
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'hub/src/server.ts'), ...args], {
  cwd: root,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (child.exitCode === null) child.kill(sig);
  });
}
child.on('exit', (code, signal) => {
  if (signal) {
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(1), 100).unref();
  } else {
    process.exit(code ?? 1);
  }
});
