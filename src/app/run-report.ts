/**
 * A run's verdict and chart, as every face shows them. Reports are cached per run version (id + updatedAt) and
 * computed once however many callers ask at the same time, so a burst of /diagnose on one big run costs one diagnosis.
 */
import type { Run, RunSummary } from '../domain/run.ts';
import type { Verdict } from '../domain/verdict.ts';
import { diagnoseStoredRun, type RunContextSource } from './diagnose-run.ts';
import { renderRunChartSvg } from '../charts/run-chart.ts';
import type { Logger } from '../logger.ts';
import { RunNotFoundError, type RunStore } from '../store/run-store.ts';
import { drawChart, rasteriseHere, type Rasteriser } from './chart-images.ts';

export interface RunReport {
  run: RunSummary;
  verdict: Verdict;
  /** PNG bytes of the run's chart with the verdict's marks; null when it could not be drawn. */
  chartPng: Uint8Array | null;
  /** The sentence shown in place of a chart that could not be drawn. */
  chartProblem?: string | null;
}

export interface RunReporterOptions {
  /** Reports kept in memory (each holds a PNG of ~100 KB); 0 turns caching off. */
  cacheSize?: number;
  /** Measured context of job-made runs (dataset stats, instrumentation), so their reports keep those items. */
  contexts?: RunContextSource;
  /** Where SVGs become PNGs: this process by default; the service gives a child process (rasteriser-process.ts). */
  rasterise?: Rasteriser;
  log?: Logger;
}

export class RunReporter {
  private readonly cache = new Map<string, Promise<RunReport>>();
  private readonly cacheSize: number;
  private readonly contexts: RunContextSource | undefined;
  /** Shared with the bot's other charts (compare, job reports, digests), so they are drawn the same way. */
  readonly rasterise: Rasteriser;
  private readonly log: Logger | undefined;

  constructor(
    private readonly store: RunStore,
    opts: RunReporterOptions = {},
  ) {
    this.cacheSize = opts.cacheSize ?? 32;
    this.contexts = opts.contexts;
    this.rasterise = opts.rasterise ?? rasteriseHere;
    this.log = opts.log;
  }

  /** By id, name or id prefix (see RunStore.getRun). Throws RunNotFoundError with the candidates. */
  async report(ref: string): Promise<RunReport> {
    // The summary first: a cached report must not cost loading a million points.
    const candidates = await this.store.findRuns(ref);
    if (candidates.length !== 1) throw new RunNotFoundError(ref, candidates);
    const summary = candidates[0];
    return this.cached(summary, async () => {
      const run = await this.store.getRun(summary.id);
      if (!run) throw new RunNotFoundError(ref);
      return this.compute(run);
    });
  }

  reportOf(run: Run): Promise<RunReport> {
    return this.cached(run, async () => this.compute(run));
  }

  private cached(run: RunSummary, compute: () => Promise<RunReport>): Promise<RunReport> {
    if (this.cacheSize === 0) return compute();
    const key = `${run.id}@${run.updatedAt}`;
    let p = this.cache.get(key);
    if (p) {
      // Refresh recency: Map iteration order is insertion order.
      this.cache.delete(key);
      this.cache.set(key, p);
      return p;
    }
    p = compute();
    this.cache.set(key, p);
    p.catch(() => this.cache.delete(key));
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return p;
  }

  /** The verdict only (no chart), cached like reports when one exists. */
  async verdictOf(run: Run): Promise<Verdict> {
    const cached = this.cache.get(`${run.id}@${run.updatedAt}`);
    return cached ? (await cached).verdict : diagnoseStoredRun(run, { contexts: this.contexts });
  }

  /** The verdict, and the chart when it can be drawn: a chart that cannot is a sentence, never a failed report. */
  private async compute(run: Run): Promise<RunReport> {
    const verdict = await diagnoseStoredRun(run, { contexts: this.contexts });
    const { series: _series, notes: _notes, meta: _meta, ...summary } = run;
    const chart = await drawChart(() => ({ svg: renderRunChartSvg(run, verdict) }), this.rasterise, { log: this.log, what: { runId: run.id } });
    return { run: summary, verdict, chartPng: chart.png, chartProblem: chart.problem };
  }
}

/** The run stored just before this one under the same name (an earlier upload of the same training), if any. */
export async function previousRunOf(store: RunStore, run: RunSummary): Promise<RunSummary | null> {
  const sameName = await store.findRuns(run.name);
  const older = sameName
    .filter((r) => r.id !== run.id && r.name === run.name && r.createdAt <= run.createdAt)
    .sort((a, b) => b.createdAt - a.createdAt);
  return older[0] ?? null;
}

/** The newest run stored under a name, or null. */
export async function newestRunNamed(store: RunStore, name: string): Promise<RunSummary | null> {
  const runs = (await store.findRuns(name)).filter((r) => r.name === name).sort((a, b) => b.createdAt - a.createdAt);
  return runs[0] ?? null;
}
