import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One project per workspace so each part can set its own timeouts and setup.
const part = (name: string, extra: Record<string, unknown> = {}) => ({
  test: {
    name,
    root: `./${name}`,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
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
      part('dashboard', {
        include: ['test/**/*.test.ts'],
        testTimeout: 120_000,
        // the dashboard's tsconfig path to the protocol sources, for unit tests of lib/ code
        alias: { '@protocol/': fileURLToPath(new URL('./protocol/src/', import.meta.url)) },
      }),
    ],
    // Two cores: keep parallelism modest so real-service tests do not starve each other.
    maxWorkers: 2,
  },
});
