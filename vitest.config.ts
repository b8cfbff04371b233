import { defineConfig } from 'vitest/config';

// One project per workspace so each part can set its own timeouts and setup.
const part = (name: string, extra: Record<string, unknown> = {}) => ({
  test: {
    name,
    root: `./${name}`,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['../scripts/test/setup.ts'],
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
      part('dashboard', { include: ['test/**/*.test.ts'], testTimeout: 120_000 }),
    ],
    // Builds the sidecar bundle spawned tests run, and test-artifacts/ for logs of failures.
    globalSetup: ['./scripts/test/global-setup.ts'],
    reporters: ['default', './scripts/test/durations-reporter.ts'],
    // Two cores: keep parallelism modest so real-service tests do not starve each other.
    maxWorkers: 2,
  },
});
