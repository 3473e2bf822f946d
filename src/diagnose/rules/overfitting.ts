/**
 * overfitting: after its best point the validation loss (or the main validation metric, honouring its direction)
 * turns up, sustained, while the training loss keeps improving. Reports the best and last values and the run's
 * early-stopping plan (shared with early_stopping_missing and the chart: one epoch, one patience, one stop).
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { Mark } from '../../domain/verdict.ts';
import type { Curve, RunView } from '../signals/view.ts';
import { smoothedAtPointOf } from '../signals/view.ts';
import { median } from '../signals/stats.ts';
import { fmt } from './shared.ts';
import { medianFilter } from '../signals/smoothing.ts';
import { earlyStoppingPlan, planBand, planText, type StopPlan } from './early-stopping-plan.ts';

/** Fewer validation points than this cannot show a turn. */
export const MIN_EVALS = 5;
/** Evaluations after the best one needed to call the rise sustained (and at least this share of all evaluations). */
export const MIN_EVALS_AFTER_BEST = 4;
/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - minShareAfterBest: the best evaluation leaves at least this share of the run after it;
 * - valRiseSigmas / minLogValRise: the validation level at the end (median of the last tenth) sits this many standard
 *   errors of the difference of the two levels, and at least this much (log), above its best (both on a running
 *   median, so one lucky evaluation is neither the best nor the end). 3: a one-sided significance of about 0.1 %, set
 *   by hand when the unit changed from one point's noise (tune split: overfitting F1 82 → 81, healthy runs flagged
 *   0 → 1 of 404; the 4 the fit had chosen in point-noise units missed long runs ending on a clear drift);
 *   Later set to 2 (one-sided ≈ 2 %) together with minShareAfterBest 0.4, the issue's "minimum before 60 % of the
 *   run" (it was 0.3): a best that late leaves too little run to call a turn, and the two together found 4 more
 *   overfitting runs on the tune split with one healthy run fewer flagged (overfitting F1 83 → 86, false alarms
 *   4.3 → 4.1 %);
 * - warnLogValRise: a smaller rise (noise-significant all the same) is a warning: validation drifting up;
 * - minLogTrainDrop: meanwhile training improved by at least this much (log).
 * A validation that only stops improving while training pulls away is not called overfitting: early_stopping_missing
 * says when it stopped, generalization_gap how far apart they ended.
 */
export const FIT = { minShareAfterBest: 0.4, valRiseSigmas: 2, minLogValRise: 0.14, warnLogValRise: 0.14, minLogTrainDrop: 0.2, falseAlarms: 0.0025 };

export interface OverfittingFinding {
  status: 'fail' | 'warn';
  val: Curve;
  train: Curve;
  bestIndex: number;
  valRise: number;
  trainDrop: number;
  plan: StopPlan;
}

/** The validation curve to judge: val loss when it has enough points, else the main validation metric. */
export function judgedValidation(view: RunView): { val: Curve | null; train: Curve | null } {
  const vl = view.valLoss && view.valLoss.ts.length >= MIN_EVALS ? view.valLoss : null;
  if (vl) return { val: vl, train: view.trainLoss ?? view.trainMetric };
  const vm = view.valMetric && view.valMetric.ts.length >= MIN_EVALS ? view.valMetric : null;
  if (vm) return { val: vm, train: view.trainMetric ?? view.trainLoss };
  return { val: view.valLoss ?? view.valMetric, train: view.trainLoss ?? view.trainMetric };
}

/**
 * The validation's levels: a running median of the judged curve (the step-level one is smoothed already; `window` 1),
 * so that one lucky evaluation is neither the best nor the end; and the index of its best level. Read by overfitting
 * and by early_stopping_missing, so both place the best alike.
 */
export function validationLevels(val: Curve): { level: Float64Array; window: number; best: number } {
  const n = val.ts.length;
  const window = val.smoothed ? 1 : n >= 15 ? 5 : 3;
  const level = val.smoothed ? val.ts : medianFilter(val.ts, window);
  let best = 0;
  for (let i = 1; i < n; i++) if (level[i]! < level[best]!) best = i;
  return { level, window, best };
}

export function findOverfitting(view: RunView): OverfittingFinding | null {
  const { val, train } = judgedValidation(view);
  if (!val || !train || val.ts.length < MIN_EVALS) return null;
  const n = val.ts.length;
  const { level, window, best: m } = validationLevels(val);
  const after = n - 1 - m;
  if (after < Math.max(MIN_EVALS_AFTER_BEST, Math.ceil(n * FIT.minShareAfterBest))) return null;
  const tail = Math.max(2, Math.ceil(n * 0.1));
  const end = median(Array.from(level.subarray(n - tail)));
  const valRise = end - level[m]!;
  // The rise is judged against the uncertainty of the two levels it compares, not of one point: each is a median of
  // several evaluations (the best a running median of `window`, the end the last `tail`), so its standard error is
  // the point noise × √(π/2) / √(points). A long run ending on a clear drift is significant sooner than a short one.
  const se = (k: number) => Math.sqrt(Math.PI / 2 / Math.max(1, k));
  const noise = (Number.isFinite(val.noise) ? val.noise : 0) * (val.smoothed ? 1 : Math.hypot(se(window), se(tail)));
  const minRise = val.logScale ? FIT.minLogValRise : 0.05 * val.range;
  const warnRise = val.logScale ? Math.min(FIT.warnLogValRise, FIT.minLogValRise) : 0.025 * val.range;
  if (!(valRise >= Math.max(FIT.valRiseSigmas * noise, warnRise))) return null;
  const status = valRise >= Math.max(FIT.valRiseSigmas * noise, minRise) ? 'fail' : 'warn';
  const trainAtBest = smoothedAtPointOf(train, val, m);
  const trainEnd = median(Array.from(train.ts.subarray(Math.max(0, train.ts.length - Math.max(1, Math.floor(train.ts.length * 0.1))))));
  const trainDrop = Number.isFinite(trainAtBest) ? trainAtBest - trainEnd : NaN;
  if (!(trainDrop >= (train.logScale ? FIT.minLogTrainDrop : 0.1 * train.range))) return null;
  return { status, val, train, bestIndex: m, valRise, trainDrop, plan: earlyStoppingPlan(val) };
}

export const overfittingRule: Rule = {
  id: 'overfitting',
  area: 'generalization',
  check({ view }) {
    const { val, train } = judgedValidation(view);
    if (!val) return unknownItem(this, 'No validation curve', 'Log val_loss (or a validation metric) each epoch to check overfitting.');
    if (!train) return unknownItem(this, 'No training curve to compare with', 'Log the training loss beside val_loss to check overfitting.');
    if (val.ts.length < MIN_EVALS) return unknownItem(this, `Only ${val.ts.length} validation points`, `Evaluate at least ${MIN_EVALS} times to see a turn in ${val.name}.`);
    const f = findOverfitting(view);
    if (!f) return itemOf(this, 'pass', `${val.name} does not ${val.direction === 'higher' ? 'turn down' : 'turn up'} while training improves`, '', { series: val.name });
    // The turn is judged on the smoothed curve; every number the user reads is the logged one: the best evaluation
    // (its epoch as the file numbers it) in the title, the evidence, the fix and the chart's dot alike.
    const p = f.plan;
    const last = val.ts.length - 1;
    const bestValue = Number(val.y[p.bestIndex].toPrecision(4));
    const lastValue = Number(val.y[last].toPrecision(4));
    const trainFactor = f.train.logScale ? Math.exp(f.trainDrop) : null;
    const trainText = trainFactor !== null && trainFactor >= 1.05 ? `${f.train.name} fell ${fmt(trainFactor)}×` : `${f.train.name} kept improving`;
    // An accuracy peaks and falls back; a loss bottoms and climbs.
    const [best, drift] = val.direction === 'higher' ? ['peaked', 'drifted down to end'] : ['bottomed', 'drifted up to end'];
    const title = `${val.name} ${best} at ${fmt(bestValue)} at ${p.unit} ${p.bestWhen} and ${f.status === 'fail' ? 'ended' : drift} at ${fmt(lastValue)} while ${trainText}`;
    const plan = planText(val, p);
    const marks: Mark[] = [{ series: val.name, step: Math.round(val.x[p.bestIndex]), label: `best ${val.name} (${p.unit} ${p.bestWhen})`, kind: 'point', value: bestValue }, ...planBand(val, p)];
    return itemOf(
      this,
      f.status,
      title,
      `Keep the ${p.unit}-${p.bestWhen} model: ${plan}. Then add dropout, weight decay or augmentation, or get more data.`,
      {
        onsetEpoch: p.unit === 'epoch' ? p.bestWhen : null,
        onsetStep: Math.round(val.x[p.bestIndex]),
        valSeries: val.name,
        valBest: bestValue,
        valBestAt: p.bestWhen,
        valLast: lastValue,
        // The names of DESIGN.md's example, when the judged curve is the validation loss.
        ...(val.key === 'loss' ? { valLossMin: bestValue, valLossLast: lastValue } : {}),
        valRiseFactor: val.logScale ? Number(Math.exp(f.valRise).toFixed(3)) : Number(f.valRise.toPrecision(3)),
        trainSeries: f.train.name,
        trainImprovementFactor: trainFactor !== null ? Number(trainFactor.toFixed(3)) : Number(f.trainDrop.toPrecision(3)),
        earlyStopping: { patience: p.patience, stopAt: p.stopWhen, unit: p.unit, savedShare: Number(p.savedShare.toFixed(3)), text: plan },
      },
      marks,
    );
  },
};
