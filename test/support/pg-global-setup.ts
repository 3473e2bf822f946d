/**
 * vitest globalSetup: one PostgreSQL cluster directory for the whole run (test/support/pg-cluster.ts). Nothing starts
 * here: the first test file that needs PostgreSQL starts the cluster in this directory, so a run without PG tests
 * pays nothing. At the end of the run the cluster (if started) is stopped and the directory removed.
 */
import type { TestProject } from 'vitest/node';
import { clusterDir, postgresBinDir, removeCluster } from './pg-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's shared PostgreSQL directory; '' when the binaries are missing (the PG tests skip). */
    runmedicPgDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = postgresBinDir() ? clusterDir() : '';
  project.provide('runmedicPgDir', dir);
  return () => {
    if (dir) removeCluster(dir);
  };
}
