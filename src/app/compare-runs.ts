/**
 * Two runs side by side: for each, the best validation value of its main metric and when it came, and the final
 * train/validation gap; plus the overlay chart. Shared by /compare, the Compare button and the CLI.
 */
import type { Run, RunSummary, Series } from '../domain/run.ts';
import { renderCompareChart } from '../charts/compare-chart.ts';
import { RunNotFoundError, type RunStore } from '../store/run-store.ts';

export interface MetricPoint {
  value: number;
  step: number;
  /** null where the log has no epochs. */
  epoch: number | null;
}

export interface RunFigures {
  run: RunSummary;
  /** The series compared ('val_loss' when there is one), with its direction. */
  metric: { name: string; key: string; direction: Series['direction'] } | null;
  best: MetricPoint | null;
  last: MetricPoint | null;
  /** Last validation value minus last training value of the same metric (loss: positive = validation worse). */
  finalGap: number | null;
  /** The loss series (training or validation) that ended as NaN/±Inf, when one did: the run broke there. */
  brokenLoss: { name: string; value: number } | null;
}

export interface RunComparison {
  a: RunFigures;
  b: RunFigures;
  /** Overlay PNG, or null when no chart could be drawn. */
  chartPng: Uint8Array | null;
}

export type CompareChartRenderer = (a: Run, b: Run) => Uint8Array | null;

/** Both runs on one chart; labelled A and B since two uploads of one run share a name. */
export const overlayChart: CompareChartRenderer = (a, b) =>
  renderCompareChart([
    { name: `A · ${a.name}`, series: a.series },
    { name: `B · ${b.name}`, series: b.series },
  ]).png;

export async function compareRuns(store: RunStore, aRef: string, bRef: string, renderChart: CompareChartRenderer | null = overlayChart): Promise<RunComparison> {
  const [a, b] = await Promise.all([load(store, aRef), load(store, bRef)]);
  let chartPng: Uint8Array | null = null;
  try {
    chartPng = renderChart ? renderChart(a, b) : null;
  } catch {
    // Runs without a common metric to draw still get the table.
    chartPng = null;
  }
  return { a: figuresOf(a), b: figuresOf(b), chartPng };
}

async function load(store: RunStore, ref: string): Promise<Run> {
  const run = await store.getRun(ref);
  if (!run) throw new RunNotFoundError(ref, await store.findRuns(ref));
  return run;
}

export function figuresOf(run: Run): RunFigures {
  const { series, notes: _n, meta: _m, ...summary } = run;
  const val = pickValidation(series);
  const broken = series.find((s) => s.key === 'loss' && s.values.length > 0 && !Number.isFinite(s.values[s.values.length - 1]));
  const brokenLoss = broken ? { name: broken.name, value: broken.values[broken.values.length - 1] } : null;
  if (!val) return { run: summary, metric: null, best: null, last: null, finalGap: null, brokenLoss };
  const best = extreme(val);
  const last = lastFinite(val);
  const train = series.find((s) => s.split === 'train' && s.key === val.key);
  const trainLast = train ? lastFinite(train) : null;
  return {
    run: summary,
    metric: { name: val.name, key: val.key, direction: val.direction },
    best,
    last,
    finalGap: last && trainLast ? last.value - trainLast.value : null,
    brokenLoss,
  };
}

/** Validation loss first (the quantity every rule reads), else the first validation series. */
function pickValidation(series: Series[]): Series | null {
  const val = series.filter((s) => s.split === 'val' && s.values.length > 0);
  return val.find((s) => s.key === 'loss') ?? val[0] ?? null;
}

function point(s: Series, i: number): MetricPoint {
  const e = s.epochs ? s.epochs[i] : NaN;
  return { value: s.values[i], step: s.steps[i], epoch: Number.isFinite(e) ? e : null };
}

function extreme(s: Series): MetricPoint | null {
  let bi = -1;
  for (let i = 0; i < s.values.length; i++) {
    const v = s.values[i];
    if (!Number.isFinite(v)) continue;
    if (bi < 0 || (s.direction === 'lower' ? v < s.values[bi] : v > s.values[bi])) bi = i;
  }
  return bi < 0 ? null : point(s, bi);
}

function lastFinite(s: Series): MetricPoint | null {
  for (let i = s.values.length - 1; i >= 0; i--) if (Number.isFinite(s.values[i])) return point(s, i);
  return null;
}
