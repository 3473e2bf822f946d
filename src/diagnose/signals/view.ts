/**
 * The view rules judge: the run's main curves (train/val loss, the main quality metric, lr, grad norm), each
 * downsampled to at most MAX_POINTS points, smoothed when step-level, and put on a scale-free footing.
 * Built once per diagnosis in one linear pass over each series, so rules never touch millions of points.
 */
import type { Cadence, Direction, Series, Split } from '../../domain/run.ts';
import { medianFilter, smoothingWindow } from './smoothing.ts';
import { noiseLevel } from './noise.ts';
import { quantile } from './stats.ts';

/** Downsampling target: enough for shapes (onsets, spikes between bins are counted separately), cheap for O(n·w) filters. */
export const MAX_POINTS = 400;
/** Running-median width for step-level curves, as a share of their (downsampled) length. */
const SMOOTH_FRACTION_STEP = 0.03;

export interface NonFinite {
  count: number;
  /** Index into the raw series of the first NaN/±Inf, its step and epoch (NaN when unknown). */
  firstStep: number;
  firstEpoch: number;
  /** Finite points seen before the first non-finite one. */
  finiteBefore: number;
  firstValue: number;
}

export interface Curve {
  /** Display name as in the source ('val_loss'), used in marks. */
  name: string;
  key: string;
  split: Split;
  direction: Direction;
  cadence: Cadence;
  /** Raw number of points (finite or not). */
  points: number;
  /** Raw points per downsampled point (1 when not downsampled). */
  binSize: number;
  /** Downsampled coordinates and values; finite values only. */
  x: Float64Array;
  epoch: Float64Array;
  y: Float64Array;
  /** Bin maxima (equal to y when not downsampled): spikes live here. */
  yMax: Float64Array;
  /** y smoothed with a running median when step-level; y itself when epoch-level. */
  s: Float64Array;
  /**
   * Judged on log(y) when every value is positive (losses: a 1e-4 MSE and a 25 nats LM loss read alike), on
   * log(1 − y) for higher-is-better rates in [0, 1] (accuracy: 0.97 → 0.98 is a third fewer errors).
   */
  logScale: boolean;
  scale: JudgingScale;
  /** Whether `s` is a running median of y (step-level or noisy curves) or y itself. */
  smoothed: boolean;
  /** y and s on the judging scale, where LOWER IS ALWAYS BETTER ("badness"), whatever the metric's direction. */
  ty: Float64Array;
  ts: Float64Array;
  /** Robust noise σ of ty per downsampled point, and of ts. */
  noise: number;
  smoothNoise: number;
  /** Robust range (5th–95th percentile) of ts; never 0. */
  range: number;
  nonFinite: NonFinite | null;
  source: Series;
}

export interface RunView {
  trainLoss: Curve | null;
  valLoss: Curve | null;
  /** Main quality metric (accuracy first), validation and training. */
  valMetric: Curve | null;
  trainMetric: Curve | null;
  lr: Curve | null;
  gradNorm: Curve | null;
  /** Every curve of the run, for rules that look beyond the main ones (NaN anywhere). */
  all: Curve[];
}

/** Builds the judged curve of one series. */
export function toCurve(series: Series): Curve {
  const n = series.values.length;
  let finite = 0;
  let nonFinite: NonFinite | null = null;
  for (let i = 0; i < n; i++) {
    const v = series.values[i];
    if (Number.isFinite(v)) {
      finite++;
    } else {
      if (!nonFinite) {
        nonFinite = {
          count: 0,
          firstStep: series.steps[i],
          firstEpoch: series.epochs ? series.epochs[i] : series.cadence === 'epoch' ? series.steps[i] : NaN,
          finiteBefore: finite,
          firstValue: v,
        };
      }
      nonFinite.count++;
    }
  }
  const bins = Math.min(finite, MAX_POINTS);
  const binSize = bins > 0 ? finite / bins : 1;
  const x = new Float64Array(bins);
  const epoch = new Float64Array(bins).fill(NaN);
  const y = new Float64Array(bins);
  const yMax = new Float64Array(bins).fill(-Infinity);
  const counts = new Float64Array(bins);
  const epochCounts = new Float64Array(bins);
  const values = series.values;
  const steps = series.steps;
  // Epochs: the series' own, else the step when the cadence is per epoch, else none.
  const epochs = series.epochs ?? (series.cadence === 'epoch' ? steps : null);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const b = Math.min(bins - 1, Math.floor(k / binSize));
    k++;
    x[b] += steps[i]!;
    y[b] += v;
    if (v > yMax[b]!) yMax[b] = v;
    counts[b]++;
    if (epochs) {
      const e = epochs[i]!;
      if (Number.isFinite(e)) {
        epoch[b] = (epochCounts[b] ? epoch[b]! : 0) + e;
        epochCounts[b]++;
      }
    }
  }
  for (let b = 0; b < bins; b++) {
    x[b] /= counts[b];
    y[b] /= counts[b];
    if (epochCounts[b]) epoch[b] /= epochCounts[b];
  }
  const scale = judgingScale(series.direction, y);
  const ty = y.map(scale.toBadness);
  // An epoch-labelled curve that is mostly noise (per-batch values logged per epoch row) is smoothed too.
  const noisy = bins >= 30 && noiseLevel(ty) > NOISY_SHARE * robustRange(ty);
  const stepLevel = series.cadence === 'step' || binSize > 1 || noisy;
  const window = stepLevel ? smoothingWindow(bins, SMOOTH_FRACTION_STEP, 15) : bins >= 60 ? 3 : 1;
  const s = window > 1 ? medianFilter(y, window) : Float64Array.from(y);
  const ts = s.map(scale.toBadness);
  const noise = noiseLevel(ty);
  const range = robustRange(ts);
  return {
    name: series.name,
    key: series.key,
    split: series.split,
    direction: series.direction,
    cadence: series.cadence,
    points: n,
    binSize,
    x,
    epoch,
    y,
    yMax,
    s,
    logScale: scale.log,
    scale,
    smoothed: window > 1,
    ty,
    ts,
    noise,
    // Differences of a running median are correlated, so measuring them underestimates its noise: use the
    // standard error of a median of `window` points instead (efficiency π/2 ≈ 1.2533² of the mean's).
    smoothNoise: window > 1 ? (noise * 1.2533) / Math.sqrt(window) : noise,
    range,
    nonFinite,
    source: series,
  };
}

/** A curve whose point-to-point noise exceeds this share of its range is treated as step-level (smoothed). */
const NOISY_SHARE = 0.15;
/** Error floor for log(1 − accuracy): 1e-4 keeps a perfect 1.0 from becoming −∞. */
const ERROR_FLOOR = 1e-4;

export interface JudgingScale {
  log: boolean;
  toBadness: (v: number) => number;
  fromBadness: (b: number) => number;
}

/** The scale a curve is judged on; see Curve.logScale. */
export function judgingScale(direction: Direction, values: ArrayLike<number>): JudgingScale {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (direction === 'lower') {
    if (min > 0) return { log: true, toBadness: Math.log, fromBadness: Math.exp };
    return { log: false, toBadness: (v) => v, fromBadness: (b) => b };
  }
  if (min >= 0 && max <= 1) {
    return { log: true, toBadness: (v) => Math.log(Math.max(1 - v, ERROR_FLOOR)), fromBadness: (b) => 1 - Math.exp(b) };
  }
  return { log: false, toBadness: (v) => -v, fromBadness: (b) => -b };
}

/** Spread between the 5th and 95th percentile; never 0 (a flat curve gets a tiny range relative to its level). */
export function robustRange(values: ArrayLike<number>): number {
  const lo = quantile(values, 0.05);
  const hi = quantile(values, 0.95);
  if (hi - lo > 0) return hi - lo;
  return Math.max(Math.abs(hi), 1e-12) * 1e-6;
}

/** Metric keys that are not a quality metric of the model. */
const NOT_QUALITY = new Set(['loss', 'lr', 'grad_norm', 'epoch', 'step', 'runtime', 'samples_per_second', 'steps_per_second', 'epoch_time', 'perplexity', 'ppl', 'total_flos']);
const QUALITY_PREFERENCE = ['accuracy', 'f1', 'mean_token_accuracy', 'auc', 'dice_coef', 'iou', 'precision', 'recall', 'wer', 'cer', 'mae', 'mse', 'rmse'];

/** Series names that say a value is one batch's (Lightning's `train_loss_step`, Keras' `batch_loss`). */
export const ONE_BATCH_NAME = /_step$|^batch[_-]|[_/]batch[_-]?loss$/i;

function pick(series: Series[], key: string, split: Split): Series | null {
  let best: Series | null = null;
  for (const s of series) {
    if (s.key !== key || s.split !== split) continue;
    const more = best ? finiteCount(s) - finiteCount(best) : 1;
    // As many points: the epoch's own value, not one batch's shown once an epoch (a console bar's last postfix).
    if (!best || more > 0 || (more === 0 && ONE_BATCH_NAME.test(best.name) && !ONE_BATCH_NAME.test(s.name))) best = s;
  }
  return best;
}

function finiteCount(s: Series): number {
  let c = 0;
  for (const v of s.values) if (Number.isFinite(v)) c++;
  // A series of only NaN still matters (nan_loss): count it as one point so it can be picked.
  return c || (s.values.length ? 0.5 : 0);
}

function qualityKey(series: Series[]): string | null {
  const keys = new Set(series.filter((s) => s.split === 'val' && !NOT_QUALITY.has(s.key) && !/loss/.test(s.key)).map((s) => s.key));
  for (const k of QUALITY_PREFERENCE) if (keys.has(k)) return k;
  const rest = [...keys].sort();
  if (rest.length) return rest[0];
  const trainKeys = new Set(series.filter((s) => s.split === 'train' && !NOT_QUALITY.has(s.key) && !/loss/.test(s.key)).map((s) => s.key));
  for (const k of QUALITY_PREFERENCE) if (trainKeys.has(k)) return k;
  return null;
}

/** An evaluation this close to the previous one (share of the median gap between evaluations) had no training in between. */
const SAME_MODEL_GAP = 0.01;
/** Evaluations at the end of a validation series that the after-training check looks at. */
const TAIL_EVALS = 64;

/**
 * A validation series without its trailing evaluations that follow the previous one with no training in between
 * (e.g. Lightning's `trainer.validate()` after `fit()`, logged one step after the last epoch's validation, often on
 * another split or a reloaded checkpoint). Such a point is a separate evaluation, not a point of the validation
 * curve: read as one, its jump looks like noise or progress that no training produced. The series itself when
 * nothing is dropped.
 */
export function withoutAfterTrainingEvals(s: Series): Series {
  // Only the tail matters: the last TAIL_EVALS finite evaluations give the typical gap (a median, so a few short
  // trailing gaps do not move it), and the scan never touches the rest of a long series.
  const idx: number[] = [];
  for (let i = s.values.length - 1; i >= 0 && idx.length < TAIL_EVALS; i--) if (Number.isFinite(s.values[i]) && Number.isFinite(s.steps[i])) idx.push(i);
  idx.reverse();
  if (idx.length < 4) return s;
  const gaps: number[] = [];
  for (let k = 1; k < idx.length; k++) gaps.push(s.steps[idx[k]] - s.steps[idx[k - 1]]);
  const typical = quantile(gaps, 0.5);
  if (!(typical > 0)) return s;
  let keep = idx.length;
  while (keep > 3 && s.steps[idx[keep - 1]] - s.steps[idx[keep - 2]] <= SAME_MODEL_GAP * typical) keep--;
  if (keep === idx.length) return s;
  const end = idx[keep - 1] + 1;
  return {
    ...s,
    steps: s.steps.subarray(0, end),
    epochs: s.epochs ? s.epochs.subarray(0, end) : null,
    wallTimes: s.wallTimes ? s.wallTimes.subarray(0, end) : null,
    values: s.values.subarray(0, end),
  };
}

/**
 * Loss names that say how the loss was aggregated over the batches (`avg_loss`, `train_running_loss`, `val_loss_mean`
 * as normalised: `avg_loss`, `running_loss`, `loss_mean`) or which loss it is (`ce`, `nll`, `cross_entropy`). They are
 * the loss when a split has no series called so; beside one (`loss` and `loss_avg` printed on one line) they are not.
 */
const STAND_IN_LOSS = /^((avg|average|mean|running|epoch|total)_loss|loss_(avg|average|mean)|b?ce|xent|cross_?entropy|nll)$/;

/**
 * The series with a stand-in loss re-keyed `loss` for a split that has none: every check reads `loss`. Failing those,
 * a single `<name>_loss` stands in (`eval_squad_loss`: a Trainer given a named evaluation set; a loop that prints only
 * `NER loss`); two of them (`rpn_loss`, `det_loss`) are terms, and none is picked. Kept as is otherwise.
 */
export function withStandInLoss(series: Series[]): Series[] {
  let out = series;
  for (const split of ['train', 'val'] as const) {
    if (series.some((s) => s.split === split && s.key === 'loss')) continue;
    const mine = series.filter((s) => s.split === split);
    let standIn = mine.filter((s) => STAND_IN_LOSS.test(s.key));
    if (standIn.length === 0) {
      const named = [...new Set(mine.filter((s) => /^[a-z0-9]+_loss$/.test(s.key)).map((s) => s.key))];
      if (named.length === 1) standIn = mine.filter((s) => s.key === named[0]);
    }
    const keys = new Set(standIn.map((s) => s.key));
    if (keys.size !== 1) continue;
    out = out.map((s) => (standIn.includes(s) ? { ...s, key: 'loss', direction: 'lower' as const } : s));
  }
  return out;
}

export function buildView(input: Series[]): RunView {
  const series = withStandInLoss(input).map((s) => (s.split === 'val' ? withoutAfterTrainingEvals(s) : s));
  const cache = new Map<Series, Curve>();
  const curve = (s: Series | null): Curve | null => {
    if (!s) return null;
    let c = cache.get(s);
    if (!c) {
      c = toCurve(s);
      cache.set(s, c);
    }
    return c;
  };
  const q = qualityKey(series);
  const view: RunView = {
    trainLoss: curve(pick(series, 'loss', 'train')),
    valLoss: curve(pick(series, 'loss', 'val')),
    valMetric: q ? curve(pick(series, q, 'val')) : null,
    trainMetric: q ? curve(pick(series, q, 'train')) : null,
    lr: curve(pick(series, 'lr', 'train')),
    gradNorm: curve(pick(series, 'grad_norm', 'train')),
    all: [],
  };
  view.all = series.map((s) => curve(s)!);
  return view;
}

/** Index of the first downsampled point with x ≥ step (length when none). */
export function indexAtStep(c: Curve, step: number): number {
  let lo = 0;
  let hi = c.x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c.x[mid] < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Value of curve `c` on its judging scale (smoothed), interpolated at `step`; NaN outside its span. */
export function smoothedAtStep(c: Curve, step: number): number {
  const n = c.x.length;
  if (n === 0 || step < c.x[0] - 1e-9 || step > c.x[n - 1] + 1e-9) return NaN;
  const i = indexAtStep(c, step);
  if (i >= n) return c.ts[n - 1];
  if (i === 0 || c.x[i] === step) return c.ts[i];
  const t = (step - c.x[i - 1]) / (c.x[i] - c.x[i - 1]);
  return c.ts[i - 1] + t * (c.ts[i] - c.ts[i - 1]);
}

/**
 * c's smoothed badness at the time of point i of `ref`. An epoch-level curve counts its x in epochs while a step-level
 * one counts batches (a training job's val_loss @1…5 beside batch_loss @1…250), so mixed cadences are aligned by
 * epoch when c knows the epoch of every point (the batch at epoch 1.0 closes epoch 1); otherwise x is shared.
 */
export function smoothedAtPointOf(c: Curve, ref: Curve, i: number): number {
  // Only when ref's x really counts epochs (x = epoch at every point); a log that puts evaluations at global steps
  // already shares the step axis.
  const refCountsEpochs = ref.x.every((x, k) => x === ref.epoch[k]);
  if (ref.cadence === 'epoch' && c.cadence === 'step' && refCountsEpochs) {
    const e = ref.epoch[i];
    const n = c.epoch.length;
    if (n > 0 && c.epoch.every((v) => Number.isFinite(v))) {
      if (e < c.epoch[0] - 1e-9 || e > c.epoch[n - 1] + 1 + 1e-9) return NaN;
      let j = 0;
      while (j + 1 < n && c.epoch[j + 1] <= e + 1e-9) j++;
      return c.ts[j];
    }
  }
  return smoothedAtStep(c, ref.x[i]);
}
