import os from 'node:os';
import { defineConfig } from 'vitest/config';

// Test files that train TensorFlow.js models in the test process (tfjs keeps its backend and registries per process;
// some files set the backend) and the custom-model training tests: each runs in a process of its own, as before.
const ISOLATED = ['test/jobs/**/*.test.ts', 'test/datacheck/**/*.test.ts', 'test/cli/train*.test.ts', 'test/cli/custom-model.test.ts', 'test/bot/train-custom*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two test files at a time even on two cores: most files spend much of their time waiting on child processes
    // (the CLI, the bot, PostgreSQL, python), and vitest's default (cores - 1) ran the suite one file at a time there.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    // One PostgreSQL cluster for the run, started by the first file that needs it (initdb once, not once per file).
    globalSetup: ['test/support/pg-global-setup.ts'],
    reporters: ['default'],
    projects: [
      {
        extends: true,
        // A worker process runs file after file, importing src/, discord.js, pino, zod... once instead of once per
        // file (that import was ~160 s of a run). Every file still starts its own fake Discord, stores, servers and
        // temp dirs; none mocks modules or changes process.env.
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED, isolate: false },
      },
      { extends: true, test: { name: 'isolated', include: ISOLATED, isolate: true } },
    ],
  },
});
