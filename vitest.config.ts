import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One PostgreSQL cluster for the run, started by the first file that needs it (initdb once, not once per file).
    globalSetup: ['test/support/pg-global-setup.ts'],
    reporters: ['default'],
  },
});
