/** The latest runs with their verdict (the stored one when the run was reviewed, else computed now, not stored). */
import type { RunStatus, RunSummary } from '../domain/run.ts';
import type { Verdict } from '../domain/verdict.ts';
import type { AlertStore } from '../alerts/alert-store.ts';
import type { RunStore } from '../store/run-store.ts';
import { listRuns } from './list-runs.ts';
import type { RunReporter } from './run-report.ts';

export interface RunWithVerdict {
  run: RunSummary;
  verdict: Verdict | null;
}

export async function listRunVerdicts(
  deps: { store: RunStore; reporter: RunReporter; alertStore: AlertStore },
  query: { status?: RunStatus; limit: number },
): Promise<RunWithVerdict[]> {
  const runs = await listRuns(deps.store, query);
  const out: RunWithVerdict[] = [];
  for (const run of runs) {
    let verdict = await deps.alertStore.latestVerdict(run.id);
    if (!verdict) {
      const full = await deps.store.getRun(run.id);
      verdict = full ? await deps.reporter.verdictOf(full) : null;
    }
    out.push({ run, verdict });
  }
  return out;
}
