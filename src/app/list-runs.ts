import type { RunStatus, RunSummary } from '../domain/run.ts';
import type { RunStore } from '../store/run-store.ts';

export interface ListRunsQuery {
  limit?: number;
  status?: RunStatus;
}

/** The stored runs, newest first. */
export async function listRuns(store: RunStore, query: ListRunsQuery = {}): Promise<RunSummary[]> {
  return store.listRuns({ limit: query.limit ?? 50, status: query.status });
}
