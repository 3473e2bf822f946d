/**
 * Analyses several rules share (computed on the ≤ MAX_POINTS judged curves, so calling them twice is cheap).
 * All on the badness scale of signals/view.ts: lower is better, log for positive losses and for error rates.
 */
import type { Curve, RunView } from '../signals/view.ts';
import { median, argMin, sig } from '../signals/stats.ts';
import { theilSen } from '../signals/trend.ts';

/** Share of a curve used for its "end" level, and the number of points for its "start" level. */
export const EDGE_FRACTION = 0.1;
export const HEAD_POINTS = 3;
/** A change smaller than this on the log scale (≈ 1 %) is never meaningful, however quiet the curve. */
export const MIN_LOG_CHANGE = 0.01;

export interface Levels {
  /** Median badness of the first HEAD_POINTS points / of the last EDGE_FRACTION of points (at least 3 when the curve has 6+). */
  head: number;
  tail: number;
  min: number;
  argMin: number;
  /** head − tail: progress over the run (positive = improved). */
  progress: number;
}

export function levels(c: Curve): Levels {
  const n = c.ts.length;
  // The start is the first few points, not a share of the run: a loss that collapses within the first 10 % of a
  // long run would otherwise look as if it had started where it ended.
  const h = n >= 6 ? HEAD_POINTS : 1;
  // The end is the last EDGE_FRACTION (at least 3 points when there are 6+): a single last evaluation is too noisy.
  const k = Math.min(Math.max(n >= 6 ? 3 : 1, Math.floor(n * EDGE_FRACTION)), Math.max(1, Math.floor(n / 2)));
  const head = median(Array.from(c.ts.subarray(0, h)));
  const tail = median(Array.from(c.ts.subarray(n - k)));
  const m = argMin(c.ts);
  return { head, tail, min: c.ts[m], argMin: m, progress: head - tail };
}

/** The smallest change on the badness scale that is more than noise: `sigmas` noise units and ≥ MIN_LOG_CHANGE (log) or 1 % of range. */
export function meaningful(c: Curve, sigmas: number): number {
  const noise = Number.isFinite(c.noise) ? c.noise : 0;
  const floor = c.logScale ? MIN_LOG_CHANGE : 0.01 * c.range;
  return Math.max(sigmas * (c.smoothed ? c.smoothNoise : noise), floor);
}

/** Coordinate rules use for trends: the epoch when every point has one, else the step. */
export function timeAxis(c: Curve): { t: Float64Array; unit: 'epoch' | 'step' } {
  let all = c.epoch.length > 0;
  for (let i = 0; i < c.epoch.length && all; i++) if (!Number.isFinite(c.epoch[i])) all = false;
  // Non-monotonic epochs (streaming datasets restart the counter) are useless as an axis.
  for (let i = 1; i < c.epoch.length && all; i++) if (c.epoch[i] < c.epoch[i - 1]) all = false;
  return all ? { t: c.epoch, unit: 'epoch' } : { t: c.x, unit: 'step' };
}

export interface TailTrend {
  /** Badness change per unit (epoch or step) over the tail window; negative = still improving. */
  slope: number;
  unit: 'epoch' | 'step';
  /** Change across the tail window (slope × span). */
  change: number;
  from: number;
}

/**
 * Theil–Sen trend over the last `fraction` of the curve (at least `minPoints`), of its judging-scale values or of
 * `values` (one per point of the curve, e.g. the smoothed values in the metric's own units).
 */
export function tailTrend(c: Curve, fraction: number, minPoints = 4, values: Float64Array = c.ts): TailTrend | null {
  const n = c.ts.length;
  const k = Math.max(minPoints, Math.ceil(n * fraction));
  if (n < minPoints || k > n) return null;
  const { t, unit } = timeAxis(c);
  const from = n - k;
  const xs = t.subarray(from);
  const ys = values.subarray(from);
  const fit = theilSen(xs, ys);
  if (!Number.isFinite(fit.slope)) return null;
  return { slope: fit.slope, unit, change: fit.slope * (xs[xs.length - 1] - xs[0]), from };
}

/**
 * The standard error of a change fitted over the last `points` evenly spaced points of a curve whose point noise is
 * `noise`: σ · √(12/k), the slope's error times the span. A tail's fall "beyond noise" is several of these.
 */
export function fittedChangeError(noise: number, points: number): number {
  return noise * Math.sqrt(12 / points);
}

/**
 * Where a curve stopped improving: the first index s after which the smoothed badness never gets more than `delta`
 * below the best reached by s. n − 1 when it improved until the end. O(n) with prefix/suffix minima.
 */
export function stallIndex(c: Curve, delta: number): number {
  const a = c.ts;
  const n = a.length;
  if (n === 0) return 0;
  const suffixMin = new Float64Array(n);
  suffixMin[n - 1] = a[n - 1];
  for (let i = n - 2; i >= 0; i--) suffixMin[i] = Math.min(a[i], suffixMin[i + 1]);
  let prefixMin = Infinity;
  for (let i = 0; i < n; i++) {
    prefixMin = Math.min(prefixMin, a[i]);
    if (suffixMin[i] >= prefixMin - delta) return i;
  }
  return n - 1;
}

/** Smoothed raw value at point i, for evidence. */
export function smoothAt(c: Curve, i: number): number {
  return sig(c.s[i]);
}

/** Epoch (or step) number to report for point i. */
export function whenAt(c: Curve, i: number): { epoch?: number; step: number } {
  const e = c.epoch[i];
  const step = Math.round(c.x[i]);
  return Number.isFinite(e) ? { epoch: Math.round(e * 100) / 100, step } : { step };
}

/** "0.0345" style number for titles. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(x.toPrecision(3)));
}

/**
 * The training loss the log has per epoch beside a smoothed step-level one (Lightning's train_loss_epoch next to
 * train_loss_step, Keras' epoch loss next to batch_loss), with at least `minPoints` points; null when the main training
 * loss is not step-level or no such series is logged. A running median of batch losses keeps their scatter in its
 * running best, so rules judging a run's course over epochs (a stall, a rise) read this one instead.
 */
export function loggedEpochTrainLoss(view: RunView, minPoints: number): Curve | null {
  if (!view.trainLoss?.smoothed) return null;
  return view.all.find((x) => x.split === 'train' && x.key === 'loss' && x.cadence === 'epoch' && !x.smoothed && x.ts.length >= minPoints) ?? null;
}
