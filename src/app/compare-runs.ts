/**
 * Two runs side by side: for each, the best validation value of its main metric and when it came, and the final
 * train/validation gap; plus the overlay chart. Shared by /compare, the Compare button and the CLI.
 */
import type { Run, RunSummary, Series } from '../domain/run.ts';
import { renderCompareChartSvg } from '../charts/compare-chart.ts';
import type { Logger } from '../logger.ts';
import { drawChart, rasteriseHere, type DrawnChart, type Rasteriser } from './chart-images.ts';
import { RunNotFoundError, type RunStore } from '../store/run-store.ts';
import { describeEpochs } from '../domain/epochs.ts';

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
  /** Why there is no chart, as the sentence shown in its place (null when there is one, or none was asked for). */
  chartProblem?: string | null;
  /** Set when one run's compared curve is the other's start, value for value: a longer upload of the same run. */
  continuation?: Continuation | null;
}

export interface Continuation {
  /** The run that goes on ('a' or 'b'). */
  longer: 'a' | 'b';
  /** Points of the compared validation series the two share. */
  sharedPoints: number;
}

export type CompareChartRenderer = (a: Run, b: Run) => Promise<DrawnChart>;

/** Both runs on one chart; labelled A and B since two uploads of one run share a name. */
export function overlayChartWith(raster: Rasteriser = rasteriseHere, log?: Logger): CompareChartRenderer {
  return (a, b) =>
    drawChart(
      () =>
        renderCompareChartSvg([
          { name: `A · ${compareLabels(a, b).a}`, series: a.series },
          { name: `B · ${compareLabels(a, b).b}`, series: b.series },
        ]),
      raster,
      { log, what: { runs: [a.id, b.id] } },
    );
}

export const overlayChart: CompareChartRenderer = overlayChartWith();

export async function compareRuns(store: RunStore, aRef: string, bRef: string, renderChart: CompareChartRenderer | null = overlayChart): Promise<RunComparison> {
  const [a, b] = await Promise.all([load(store, aRef), load(store, bRef)]);
  // Runs without a common metric to draw, or whose chart cannot be drawn, still get the table.
  const chart = renderChart ? await renderChart(a, b) : { png: null, problem: null };
  return { a: figuresOf(a), b: figuresOf(b), chartPng: chart.png, chartProblem: chart.problem, continuation: continuationOf(a, b) };
}

/**
 * What tells the two runs apart, for the chart legend and the reply: their names, or when the names are the same (two
 * uploads of one run) what differs between the uploads: the epochs, else when each was stored, else the id.
 */
export function compareLabels(a: RunSummary, b: RunSummary): { a: string; b: string; sameName: boolean } {
  if (a.name !== b.name) return { a: a.name, b: b.name, sameName: false };
  const size = (r: RunSummary) => describeEpochs(r) ?? `${r.points.toLocaleString('en-US')} points`;
  if (size(a) !== size(b)) return { a: size(a), b: size(b), sameName: true };
  if (uploadTime(a.createdAt) !== uploadTime(b.createdAt)) return { a: `stored ${uploadTime(a.createdAt)}`, b: `stored ${uploadTime(b.createdAt)}`, sameName: true };
  return { a: a.id, b: b.id, sameName: true };
}

/** "3 Dec 14:02 UTC" */
function uploadTime(ms: number): string {
  const d = new Date(ms);
  const month = d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${d.getUTCDate()} ${month} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`;
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

/** Whether one run's compared curve is the other's start, step for step and value for value. */
export function continuationOf(a: Run, b: Run): Continuation | null {
  const sa = pickValidation(a.series);
  const sb = pickValidation(b.series);
  if (!sa || !sb || sa.key !== sb.key || sa.values.length === sb.values.length) return null;
  const [short, long] = sa.values.length < sb.values.length ? [sa, sb] : [sb, sa];
  if (short.values.length < 2) return null;
  for (let i = 0; i < short.values.length; i++) {
    const same = short.values[i] === long.values[i] || (Number.isNaN(short.values[i]) && Number.isNaN(long.values[i]));
    if (!same || short.steps[i] !== long.steps[i]) return null;
  }
  return { longer: short === sa ? 'b' : 'a', sharedPoints: short.values.length };
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
