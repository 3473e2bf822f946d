import type { Series } from '../domain/run.ts';

/**
 * Where each point of each series sits on the x axis: in epochs when the run tells them consistently, else in steps.
 *
 * - Epoch-level logs (Keras): x is the epoch.
 * - Step-level logs with epochs (Hugging Face fractional epochs, Lightning integer epochs per step row): a step→epoch
 *   map is built from the (step, epoch) pairs, so step rows spread across their epoch instead of stacking on one x.
 * - Epochs that go backwards with the step (streaming datasets restart the counter): steps.
 *
 * x is computed per point on demand rather than as whole columns: a chart only draws ~1,500 points a series, and
 * allocating million-element arrays costs more than everything else a chart does.
 */
export interface XCoordinates {
  mode: 'epoch' | 'step';
  /** x of point i of a series. */
  at(series: Series, i: number): number;
  /** x of a step of a series (a verdict mark's coordinate), or of a global step when the series is unknown. */
  stepToX(series: Series | undefined, step: number): number;
}

/** A monotone step→x function. */
type StepMap = (step: number) => number;

type Source = 'steps' | 'epochs' | 'map';

const identity: StepMap = (step) => step;

/** `steps` forces the step axis (a compare chart whose runs do not all know their epochs). */
export function resolveXCoordinates(series: readonly Series[], force?: 'steps'): XCoordinates {
  const sources = new Map<Series, Source>();
  if (force === 'steps') {
    for (const s of series) sources.set(s, 'steps');
    return fromSources('step', sources, identity, 'steps');
  }
  const allEpochCadence = series.every((s) => s.cadence === 'epoch');
  const anyEpochs = series.some((s) => s.epochs !== null && hasFinite(s.epochs));

  if (allEpochCadence) {
    for (const s of series) sources.set(s, s.epochs ? 'epochs' : 'steps');
    const mode = anyEpochs || series.every(looksLikeEpochCounter) ? 'epoch' : 'step';
    return fromSources(mode, sources, identity, 'steps');
  }

  const map = anyEpochs ? stepToEpochMap(series) : null;
  if (map) {
    for (const s of series) {
      // Hugging Face writes the fractional epoch on every entry: use it; integer epochs go through the map.
      if (s.epochs && hasFraction(s.epochs)) sources.set(s, 'epochs');
      else if (s.cadence === 'epoch' && !s.epochs) sources.set(s, 'steps');
      else if (s.cadence === 'epoch' && s.epochs && !consistent(s, map)) sources.set(s, 'epochs');
      else sources.set(s, 'map');
    }
    return fromSources('epoch', sources, map, 'map');
  }
  for (const s of series) sources.set(s, 'steps');
  return fromSources('step', sources, identity, 'steps');
}

function fromSources(mode: 'epoch' | 'step', sources: Map<Series, Source>, map: StepMap, fallback: Source): XCoordinates {
  const sourceOf = (s: Series): Source => sources.get(s) ?? fallback;
  return {
    mode,
    at(s, i) {
      const src = sourceOf(s);
      const step = s.steps[i]!;
      if (src === 'steps') return step;
      if (src === 'map') return map(step);
      const e = s.epochs?.[i] ?? NaN;
      return Number.isFinite(e) ? e : map(step);
    },
    stepToX(s, step) {
      if (!s) return map(step);
      const src = sourceOf(s);
      if (src === 'steps') return step;
      if (src === 'map') return map(step);
      return interpolate(s.steps, s.epochs!, step);
    },
  };
}

function hasFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) return true;
  return false;
}

function hasFraction(epochs: Float64Array): boolean {
  for (let i = 0; i < epochs.length; i++) {
    const e = epochs[i]!;
    if (Number.isFinite(e) && !Number.isInteger(e)) return true;
  }
  return false;
}

/** Steps 0..n or 1..n+1 with no gaps larger than a few epochs: an epoch counter, not a global step. */
function looksLikeEpochCounter(s: Series): boolean {
  const n = s.steps.length;
  if (n === 0) return true;
  const last = s.steps[n - 1]!;
  return Number.isInteger(last) && last <= 2 * n + 1;
}

/** Whether an epoch-level series' steps are global steps that the map turns back into (about) its own epochs. */
function consistent(s: Series, map: StepMap): boolean {
  const epochs = s.epochs!;
  for (let i = 0; i < epochs.length; i++) {
    if (Number.isFinite(epochs[i]) && Math.abs(map(s.steps[i]!) - epochs[i]!) > 1.01) return false;
  }
  return true;
}

/**
 * A monotone step→epoch map from the (step, epoch) pairs of every series, or null when epochs go backwards as
 * steps grow.
 */
function stepToEpochMap(series: readonly Series[]): StepMap | null {
  // Knots rather than every pair: about 4,000 evenly spaced pairs per series (plus epoch boundaries) make the
  // piecewise-linear map, and checking monotonicity on them catches a restarting epoch counter (a restart drops
  // by a whole epoch, which spans far more than one stride). Scanning or sorting millions of pairs would cost more
  // than the rest of the chart.
  const knotSteps: number[] = [];
  const knotEpochs: number[] = [];
  let allInteger = true;
  // A series whose steps are its epochs (a training job's epoch-end points) says nothing about how global steps
  // relate to epochs, and its small step numbers would read as a restarting counter beside the step-level series.
  const told = series.filter((s) => s.epochs !== null && !stepsAreEpochs(s));
  const withEpochs = told.length > 0 ? told : series.filter((s) => s.epochs !== null);
  for (const s of withEpochs) {
    const epochs = s.epochs!;
    const n = s.steps.length;
    const stride = Math.max(1, Math.floor(n / 4000));
    let prevStep = -Infinity;
    let prevEpoch = -Infinity;
    for (let i = 0; i < n; i = i + stride >= n && i !== n - 1 ? n - 1 : i + stride) {
      const st = s.steps[i]!;
      const e = epochs[i]!;
      if (!Number.isFinite(st) || !Number.isFinite(e)) continue;
      if (st < prevStep || e < prevEpoch - 1e-9) return null;
      if (!Number.isInteger(e)) allInteger = false;
      knotSteps.push(st);
      knotEpochs.push(e);
      prevStep = st;
      prevEpoch = e;
    }
  }
  if (knotSteps.length < 2) return null;
  if (allInteger) {
    // Lightning: the first step of every epoch, found by binary search in each series' ascending epochs.
    for (const s of withEpochs) {
      const epochs = s.epochs!;
      const lo = firstFinite(epochs);
      const hi = lastFinite(epochs);
      if (lo < 0) continue;
      // From each epoch's first row straight to the next epoch's (binary search), never counting through the
      // integers between: a pushed epoch of 1e15 made a loop over every integer up to it, and the chart never came.
      let added = 0;
      for (let i = lo; i <= hi && added < MAX_EPOCH_KNOTS; ) {
        const e = epochs[i]!;
        if (Number.isInteger(e)) {
          knotSteps.push(s.steps[i]!);
          knotEpochs.push(e);
          added++;
        }
        i = Number.isFinite(e) ? Math.max(i + 1, lowerBound(epochs, Math.floor(e) + 1, i + 1, hi + 1)) : i + 1;
      }
    }
  }
  const order = knotSteps.map((_, i) => i).sort((a, b) => knotSteps[a]! - knotSteps[b]! || knotEpochs[a]! - knotEpochs[b]!);
  const pairs: Array<[number, number]> = order.map((i) => [knotSteps[i]!, knotEpochs[i]!]);
  for (let i = 1; i < pairs.length; i++) if (pairs[i]![1] < pairs[i - 1]![1] - 1e-9) return null;
  if (pairs[pairs.length - 1]![1] === pairs[0]![1]) return null;

  if (allInteger) return knotMap(integerEpochKnots(pairs));

  // Fractional epochs: piecewise-linear through one (step, epoch) per distinct step.
  const steps: number[] = [];
  const epochs: number[] = [];
  for (const [st, e] of pairs) {
    if (steps.length && steps[steps.length - 1] === st) continue;
    steps.push(st);
    epochs.push(e);
  }
  if (steps.length < 2) return null;
  return knotMap({ steps: Float64Array.from(steps), epochs: Float64Array.from(epochs) });
}

/** Epoch starts taken per series: more than a chart's width can show apart. */
const MAX_EPOCH_KNOTS = 20_000;

function stepsAreEpochs(s: Series): boolean {
  const epochs = s.epochs!;
  for (let i = 0; i < epochs.length; i++) if (s.steps[i] !== epochs[i]) return false;
  return true;
}

function firstFinite(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) return i;
  return -1;
}

function lastFinite(a: Float64Array): number {
  for (let i = a.length - 1; i >= 0; i--) if (Number.isFinite(a[i])) return i;
  return -1;
}

/** First index in [lo, hi) whose value is ≥ v, in an ascending array (NaN entries read as below everything). */
function lowerBound(a: Float64Array, v: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! >= v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Knots {
  steps: Float64Array;
  epochs: Float64Array;
}

/**
 * Integer epochs (Lightning writes the epoch index on every step row) become fractional: epoch e runs from its first
 * step to the first step of e+1; the last epoch is as long as a typical one (or as long as it has run, if longer).
 */
function integerEpochKnots(pairs: Array<[number, number]>): Knots {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (const [st, e] of pairs) {
    if (!first.has(e)) first.set(e, st);
    last.set(e, st);
  }
  const epochs = [...first.keys()].sort((a, b) => a - b);
  const starts = epochs.map((e) => first.get(e)!);
  const lengths: number[] = [];
  for (let i = 0; i + 1 < epochs.length; i++) lengths.push((starts[i + 1]! - starts[i]!) / (epochs[i + 1]! - epochs[i]!));
  const lastEpoch = epochs[epochs.length - 1]!;
  const ran = last.get(lastEpoch)! - first.get(lastEpoch)! + 1;
  const sorted = [...lengths].sort((a, b) => a - b);
  const typical = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : ran;
  const lastLength = Math.max(typical, ran, 1);
  return {
    steps: Float64Array.from([...starts, starts[starts.length - 1]! + lastLength]),
    epochs: Float64Array.from([...epochs, lastEpoch + 1]),
  };
}

function knotMap(k: Knots): StepMap {
  return (step) => interpolate(k.steps, k.epochs, step);
}

/** Linear interpolation of y at x0 over ascending xs; beyond the ends, the nearest end's slope is continued. */
export function interpolate(xs: ArrayLike<number>, ys: ArrayLike<number>, x0: number): number {
  const n = xs.length;
  if (n === 0) return x0;
  if (n === 1) return ys[0]! + (x0 - xs[0]!);
  let lo = 0;
  let hi = n - 1;
  if (x0 <= xs[0]!) {
    lo = 0;
    hi = 1;
  } else if (x0 >= xs[n - 1]!) {
    lo = n - 2;
    hi = n - 1;
  } else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid]! <= x0) lo = mid;
      else hi = mid;
    }
  }
  const dx = xs[hi]! - xs[lo]!;
  if (dx === 0) return ys[lo]!;
  return ys[lo]! + ((ys[hi]! - ys[lo]!) * (x0 - xs[lo]!)) / dx;
}
