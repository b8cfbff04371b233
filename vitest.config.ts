import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// expect.poll waits on a condition; its default deadline (1 s) is shorter than a loaded 2-core
// machine needs for a hub or a sidecar to act, so every poll gets the suite's deadline.
const scale = Number(process.env.DS_TEST_TIME_SCALE ?? 1) || 1;
const POLL = { timeout: 30_000 * scale, interval: 100 };

// One project per workspace so each part can set its own timeouts and setup.
const part = (name: string, extra: Record<string, unknown> = {}) => ({
  test: {
    name,
    root: `./${name}`,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['../scripts/test/setup.ts'],
    expect: { poll: POLL },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    ...extra,
  },
});

export default defineConfig({
  test: {
    projects: [
      part('protocol'),
      part('hub'),
      part('sidecar'),
      part('agents'),
      part('bench'),
      part('client'),
      part('dashboard', {
        include: ['test/**/*.test.ts'],
        testTimeout: 120_000,
        // the dashboard's tsconfig path to the protocol sources, for unit tests of lib/ code
        alias: { '@protocol/': fileURLToPath(new URL('./protocol/src/', import.meta.url)) },
      }),
    ],
    // Builds the sidecar bundle spawned tests run, and test-artifacts/ for logs of failures.
    globalSetup: ['./scripts/test/global-setup.ts'],
    reporters: ['default', './scripts/test/durations-reporter.ts'],
    // Two cores: keep parallelism modest so real-service tests do not starve each other.
    maxWorkers: 2,
  },
});
