/**
 * Stalled training, shared by plateau, underfitting and stuck_at_chance.
 *
 * A model with enough capacity and a working learning rate keeps lowering its training loss, if ever more slowly; a
 * training curve that stops moving for most of the run has hit a wall. Which wall is told by when it stopped:
 * - **underfitting**: no progress at all after the first evaluations (the model reached what it can represent at once:
 *   a linear model, a handful of units, heavy regularisation), validation level with training;
 * - **plateau**: real progress first, then a stall that lasts (the rate decayed to nothing, a saddle it cannot leave).
 * A curve that creeps without ever standing still (tiny, noise-free steps) but gains less than 20 % after its first
 * evaluation has made no progress to speak of either (littleAfterFirst).
 * Neither when the stall sits at a low level: a loss that fell by orders of magnitude (or an accuracy near 1) and then
 * rests there has converged.
 */
import type { Curve, RunView } from '../signals/view.ts';
import { fittedChangeError, levels, loggedEpochTrainLoss, meaningful, stallIndex, tailTrend } from './shared.ts';

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is the
 * larger of plateau's and underfitting's share of healthy tune runs flagged at these values.
 * - minStallShare: a plateau's stall covers at least this share of the run;
 * - underfitStallShare: underfitting's flat run (from the start) covers at least this share (its own bar: a converged
 *   healthy run stalls late, a model that cannot fit stalls from the start, and one bar for both let the fit trade
 *   underfitting away with plateau);
 * - stallSigmas: an improvement counts when it beats the running best by this many noise units;
 * - convergedProgress: a curve that improved by more than this (log: ×20) before stalling has converged, not stalled;
 * - goodAccuracy: a training accuracy at or above this is not underfitting nor a plateau, whatever the shape;
 * - flatFromShare: a stall that starts within this share of the run is "no progress at all" (underfitting);
 * - noGapLog: validation within this log-distance of training is "tracking it".
 */
export const FIT = { minStallShare: 0.765, underfitStallShare: 0.63, stallSigmas: 1, convergedProgress: 4, goodAccuracy: 0.883, flatFromShare: 0.0885, noGapLog: 0.21, falseAlarms: 0 };
/** The share below which a curve's progress counts as small for stuck_at_chance (log ≈ 18 %; 10 % of range on a linear one). */
export const SMALL_LOG_PROGRESS = 0.2;
export const SMALL_RANGE_PROGRESS = 0.1;
/** Progress within this many noise units of the curve is no progress. */
export const NOISE_SIGMAS_PROGRESS = 2;
/**
 * Little progress after the first evaluation (littleAfterFirst), the corpus definition of underfitting's shape
 * (confirm.py's check_underfitting): the end level less than 20 % below the second evaluation (log 1/0.8), and not
 * still improving: over the last TAIL_SHARE, a fall of at least STILL_SIGMAS standard errors of a fitted change and
 * STILL_SHARE of the run's progress. LITTLE_MIN_EVALS was chosen on the tune split: at 5 or 8 evaluations healthy runs
 * of 7–10 epochs were flagged (false alarms 4.3 → 5.1 %); at 10, underfitting F1 36 → 60 with none more.
 */
export const LITTLE_AFTER_FIRST_LOG = Math.log(1 / 0.8);
export const LITTLE_MIN_EVALS = 10;
export const TAIL_SHARE = 0.25;
export const STILL_SIGMAS = 2;
export const STILL_SHARE = 0.08;

export interface Stall {
  curve: Curve;
  /** Index where the stall starts. */
  from: number;
  share: number;
  /** Improvement from the start to the end level (badness units). */
  progress: number;
  smallProgress: boolean;
  /** The stall is level: the end is within noise of the best (a curve that climbs back up is not a plateau). */
  flat: boolean;
}

/** The stall of `c` covering at least `minShare` of the run (default: a plateau's bar), improvements counted from `sigmas` noise units; or null. */
export function findStall(c: Curve | null, minShare = FIT.minStallShare, sigmas = FIT.stallSigmas): Stall | null {
  if (!c || c.ts.length < 5) return null;
  const n = c.ts.length;
  const s = stallIndex(c, meaningful(c, sigmas));
  const share = (n - 1 - s) / (n - 1);
  if (share < minShare) return null;
  const lv = levels(c);
  // Start to end level, not start to minimum: the minimum of a noisy curve is biased low.
  const progress = lv.head - lv.tail;
  const noise = Number.isFinite(c.noise) ? c.noise : 0;
  const floor = c.logScale ? SMALL_LOG_PROGRESS : SMALL_RANGE_PROGRESS * c.range;
  const smallProgress = progress < Math.max(floor, NOISE_SIGMAS_PROGRESS * noise);
  const flat = lv.tail - lv.min <= Math.max(floor, NOISE_SIGMAS_PROGRESS * noise);
  return { curve: c, from: s, share, progress, smallProgress, flat };
}

export interface StalledTraining {
  kind: 'underfitting' | 'plateau';
  stall: Stall;
  /** The validation curve of the same metric and its end level minus training's (log), when there is one. */
  val: Curve | null;
  gap: number | null;
  trainAccuracy: number | null;
}

/** The training curve that tells whether the model still learns: the loss, else the training metric. */
function trainingCurve(view: RunView): Curve | null {
  // A stall is a matter of epochs: when the log has the training loss per epoch beside the step-level one, judge that.
  // The running best of a smoothed step curve keeps creeping down on its own noise, so a flat run never looked flat.
  const epoch = loggedEpochTrainLoss(view, 5);
  if (epoch) return epoch;
  if (view.trainLoss && view.trainLoss.ts.length >= 5) return view.trainLoss;
  if (view.trainMetric && view.trainMetric.ts.length >= 5) return view.trainMetric;
  return null;
}

/** Whether (and how) training stalled; null when it kept improving or rests at a converged level. */
export function stalledTraining(view: RunView): StalledTraining | null {
  const train = trainingCurve(view);
  const bar = Math.min(FIT.minStallShare, FIT.underfitStallShare);
  const st = findStall(train, bar) ?? littleAfterFirst(train);
  if (!train || !st || !st.flat) return null;
  // How far it fell, from its first logged level (the smoothed head misses a collapse within the first few points).
  const fell = Math.max(st.progress, train.ty[0]! - levels(train).tail);
  if (fell > FIT.convergedProgress) return null;
  const accEnd = (c: Curve | null) => (c && c.key === 'accuracy' ? c.s[c.s.length - 1]! : NaN);
  const acc = accEnd(view.trainMetric);
  if (Math.max(acc, accEnd(view.valMetric)) >= FIT.goodAccuracy) return null;
  // A validation curve that is still improving means the model is still learning something: not stalled.
  for (const v of [view.valLoss, view.valMetric]) {
    if (!v || v.ts.length < 5) continue;
    const vs = findStall(v, bar) ?? (st.from <= 1 ? littleAfterFirst(v) : null);
    if (!vs) return null;
  }
  const val = train.key === 'loss' ? view.valLoss : view.valMetric;
  const gap = val && val.ts.length > 0 && val.logScale === train.logScale ? val.ts[val.ts.length - 1] - train.ts[train.ts.length - 1] : null;
  const n = train.ts.length;
  const fromStart = st.from / (n - 1) <= FIT.flatFromShare || st.smallProgress;
  if (st.share < (fromStart ? FIT.underfitStallShare : FIT.minStallShare)) return null;
  return { kind: fromStart ? 'underfitting' : 'plateau', stall: st, val, gap, trainAccuracy: Number.isFinite(acc) ? acc : null };
}

/**
 * A curve that made little progress after its first evaluation: less than LITTLE_AFTER_FIRST_LOG from the second point
 * to the end level, over at least LITTLE_MIN_EVALS evaluations, and not still falling at the end. Read as a stall from
 * the first evaluation (underfitting's shape) when the running best, moved by tiny noise-free steps, finds no stall: a
 * linear or 4-unit model creeps from 1.9 to 1.67 over 27 epochs without ever standing still. Null otherwise.
 */
export function littleAfterFirst(c: Curve | null): Stall | null {
  if (!c || c.ts.length < LITTLE_MIN_EVALS || !c.logScale || c.smoothed) return null;
  const n = c.ts.length;
  const lv = levels(c);
  if (c.ts[1]! - lv.tail >= LITTLE_AFTER_FIRST_LOG) return null;
  // Still falling at the end (beyond noise and by a share of the run's progress): a rate too low, not a wall.
  const t = tailTrend(c, TAIL_SHARE);
  if (!t) return null;
  const drop = -t.change;
  const noise = Number.isFinite(c.noise) ? c.noise : 0;
  if (drop >= STILL_SIGMAS * fittedChangeError(noise, n - t.from) && drop >= STILL_SHARE * Math.max(0, lv.head - lv.tail)) return null;
  return { curve: c, from: 1, share: (n - 2) / (n - 1), progress: lv.head - lv.tail, smallProgress: true, flat: true };
}
