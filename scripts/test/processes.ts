import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The suite's one place for starting the product's processes and for how long to wait on them.
 *
 * A sidecar started as `node --import tsx sidecar/src/cli.ts` spends its first 1.1-1.5 s compiling
 * TypeScript on an idle 2-core machine and 4-9 s when the machine is busy (measured with
 * `/usr/bin/time` beside a running suite); the bundle the global setup builds once per run
 * (`sidecar/scripts/build.mjs`, the file client VPSs run) starts in ~0.2 s idle and under 1 s busy.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the global setup writes the sidecar bundle for this run. */
export const TEST_SIDECAR_BUNDLE = path.join(REPO_ROOT, 'sidecar/dist/test/deepsignal-sidecar.mjs');

/** argv (after `node`) that runs the sidecar CLI: the run's bundle when built, else the sources under tsx. */
export function sidecarArgv(args: string[] = []): string[] {
  if (existsSync(TEST_SIDECAR_BUNDLE)) return [TEST_SIDECAR_BUNDLE, ...args];
  return ['--import', 'tsx', path.join(REPO_ROOT, 'sidecar/src/cli.ts'), ...args];
}

/**
 * Entries the fault tests start as their own processes (a hub they kill, a simulated instance),
 * bundled by the global setup like the sidecar: from spawn to ready, a hub child on a PGlite data
 * dir seeded from the run's template used 6.4-6.7 s of CPU under tsx and 4.5-5.0 s as a bundle
 * (7.6-14.3 s against 5.2-7.9 s wall at load 11-12).
 */
export const TEST_CHILD_BUNDLES: Readonly<Record<string, string>> = {
  'bench/src/hub/hub-process.ts': path.join(REPO_ROOT, 'bench/dist/test/hub-process.mjs'),
  'bench/src/fault/sim-instance-process.ts': path.join(REPO_ROOT, 'bench/dist/test/sim-instance-process.mjs'),
};

/** Set by the global setup once the bundles above are built for this run. */
export const CHILD_BUNDLES_ENV = 'DS_TEST_CHILD_BUNDLES';

/**
 * argv (after `node`) that runs `entry` (a path from the repo root): this run's bundle when the
 * global setup built one, else the sources under tsx (a benchmark, or a file run without the setup).
 */
export function entryArgv(entry: string): string[] {
  const bundle = TEST_CHILD_BUNDLES[entry];
  if (bundle && process.env[CHILD_BUNDLES_ENV] === '1' && existsSync(bundle)) return [bundle];
  return ['--import', 'tsx', path.join(REPO_ROOT, entry)];
}

/**
 * Deadlines, sized from what a loaded 2-core machine was measured to need (a suite running beside
 * a CPU-heavy benchmark), with room to spare. They bound waits on conditions; they are never the
 * condition. Scale them all with DS_TEST_TIME_SCALE on an even slower machine.
 */
const scale = Number(process.env.DS_TEST_TIME_SCALE ?? 1) || 1;
export const DEADLINE = {
  /** A sidecar process from spawn to online at the hub (bundle start + MQTT connect + hello). */
  sidecarOnline: 45_000 * scale,
  /** A batch published by a sidecar until the hub has acknowledged it. */
  ack: 30_000 * scale,
  /** A command from issue to a final state on a sidecar that is online. */
  command: 60_000 * scale,
  /** A process asked to stop (SIGTERM) until it exits, before SIGKILL. */
  stop: 10_000 * scale,
  /** Chromium from launch to a first page. */
  browser: 60_000 * scale,
} as const;
