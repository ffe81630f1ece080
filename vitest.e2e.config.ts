import { defineConfig } from 'vitest/config';

/**
 * Browser tests: the real server in-process, driven by Debian's Chromium through playwright-core.
 * Files run one after another (each starts its own server and browser).
 */
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: '#jsx' } },
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    env: { TZ: 'Europe/Berlin' },
    reporters: ['default'],
  },
});
