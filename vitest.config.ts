import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // chDB binds one data directory per process: one process per test file keeps stores apart.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: run two files at a time so child-process tests are not starved.
    maxWorkers: 2,
    // In-process collectors log at info to stderr; keep test output readable.
    env: { LOGQ_LOG_LEVEL: 'warn' },
  },
});
