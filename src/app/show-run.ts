import type { Run, RunSummary, Series } from '../domain/run.ts';
import { RunNotFoundError, type RunStore } from '../store/run-store.ts';

export interface PointRef {
  step: number;
  /** null where the source gave no epoch */
  epoch: number | null;
  /** May be NaN or ±Infinity for first/last; min/max only consider finite values. */
  value: number;
}

export interface SeriesOverview {
  key: string;
  split: Series['split'];
  name: string;
  direction: Series['direction'];
  cadence: Series['cadence'];
  points: number;
  /** Points whose value is NaN, +Infinity or -Infinity. */
  nonFinite: { nan: number; posInf: number; negInf: number };
  first: PointRef | null;
  last: PointRef | null;
  min: PointRef | null;
  max: PointRef | null;
}

export interface RunOverview {
  run: RunSummary & { notes: string[]; meta: Record<string, unknown> };
  series: SeriesOverview[];
}

/** A run's series with counts and first/last/min/max. Throws RunNotFoundError (with the candidates when ambiguous). */
export async function showRun(store: RunStore, ref: string): Promise<RunOverview> {
  const run = await store.getRun(ref);
  if (!run) throw new RunNotFoundError(ref, await store.findRuns(ref));
  return overviewOf(run);
}

export function overviewOf(run: Run): RunOverview {
  const { series, ...summary } = run;
  return { run: summary, series: series.map(seriesOverview) };
}

export function seriesOverview(s: Series): SeriesOverview {
  const n = s.values.length;
  const at = (i: number): PointRef => ({ step: s.steps[i]!, epoch: s.epochs && !Number.isNaN(s.epochs[i]!) ? s.epochs[i]! : null, value: s.values[i]! });
  let minI = -1;
  let maxI = -1;
  const nonFinite = { nan: 0, posInf: 0, negInf: 0 };
  for (let i = 0; i < n; i++) {
    const v = s.values[i]!;
    if (Number.isNaN(v)) nonFinite.nan++;
    else if (v === Infinity) nonFinite.posInf++;
    else if (v === -Infinity) nonFinite.negInf++;
    else {
      if (minI < 0 || v < s.values[minI]!) minI = i;
      if (maxI < 0 || v > s.values[maxI]!) maxI = i;
    }
  }
  return {
    key: s.key,
    split: s.split,
    name: s.name,
    direction: s.direction,
    cadence: s.cadence,
    points: n,
    nonFinite,
    first: n ? at(0) : null,
    last: n ? at(n - 1) : null,
    min: minI >= 0 ? at(minI) : null,
    max: maxI >= 0 ? at(maxI) : null,
  };
}
