/**
 * vitest globalSetup: one PostgreSQL cluster directory for the whole run (test/support/pg-cluster.ts). Nothing starts
 * here: the first test file that needs PostgreSQL starts the cluster in this directory, so a run without PG tests
 * pays nothing. At the end of the run the cluster (if started) is stopped and the directory removed. vitest runs the
 * setup once per project (vitest.config.ts has two): they share one directory, kept on the main process's globalThis,
 * and the last teardown removes it.
 */
import type { TestProject } from 'vitest/node';
import { clusterDir, postgresBinDir, removeCluster } from './pg-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's shared PostgreSQL directory; '' when the binaries are missing (the PG tests skip). */
    runmedicPgDir: string;
  }
}

const KEY = Symbol.for('runmedic.test.pgDir');
type Shared = { dir: string; users: number };
const store = globalThis as unknown as Record<symbol, Shared | undefined>;

export default function setup(project: TestProject): () => void {
  const shared = (store[KEY] ??= { dir: postgresBinDir() ? clusterDir() : '', users: 0 });
  shared.users++;
  project.provide('runmedicPgDir', shared.dir);
  return () => {
    if (--shared.users > 0) return;
    store[KEY] = undefined;
    if (shared.dir) removeCluster(shared.dir);
  };
}
