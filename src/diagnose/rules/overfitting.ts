/**
 * overfitting: after its best point the validation loss (or the main validation metric, honouring its direction)
 * turns up, sustained, while the training loss keeps improving. Reports the onset, the best and last values, and
 * what early stopping would have saved.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { Mark } from '../../domain/verdict.ts';
import type { Curve, RunView } from '../signals/view.ts';
import { smoothedAtPointOf } from '../signals/view.ts';
import { median } from '../signals/stats.ts';
import { MIN_LOG_CHANGE, whenAt } from './shared.ts';
import { earlyStoppingWhatIf, patienceReachingBest, type WhatIf } from './early-stopping-what-if.ts';

/** Fewer validation points than this cannot show a turn. */
export const MIN_EVALS = 5;
/** Evaluations after the best one needed to call the rise sustained (and at least this share of all evaluations). */
export const MIN_EVALS_AFTER_BEST = 4;
export const MIN_SHARE_AFTER_BEST = 0.15;
/** The validation level after the best must sit this many of its noise units above the best… */
export const VAL_RISE_SIGMAS = 2;
/** …and at least 5 % above it (log scale) for a fail. */
export const MIN_LOG_VAL_RISE = 0.05;
/** Meanwhile training must improve by at least 10 % (log scale) over the same stretch. */
export const MIN_LOG_TRAIN_DROP = 0.1;
/** Validation flat but training pulling away by this much (log) = the gap is widening: a warning. */
export const GAP_WIDENING_WARN = 0.25;
/** Patience of the what-if, as Keras' EarlyStopping(patience=3). */
export const WHAT_IF_PATIENCE = 3;

export interface OverfittingFinding {
  status: 'fail' | 'warn';
  val: Curve;
  train: Curve;
  bestIndex: number;
  valRise: number;
  trainDrop: number;
  whatIf: WhatIf;
}

/** The validation curve to judge: val loss when it has enough points, else the main validation metric. */
export function judgedValidation(view: RunView): { val: Curve | null; train: Curve | null } {
  const vl = view.valLoss && view.valLoss.ts.length >= MIN_EVALS ? view.valLoss : null;
  if (vl) return { val: vl, train: view.trainLoss ?? view.trainMetric };
  const vm = view.valMetric && view.valMetric.ts.length >= MIN_EVALS ? view.valMetric : null;
  if (vm) return { val: vm, train: view.trainMetric ?? view.trainLoss };
  return { val: view.valLoss ?? view.valMetric, train: view.trainLoss ?? view.trainMetric };
}

export function findOverfitting(view: RunView): OverfittingFinding | null {
  const { val, train } = judgedValidation(view);
  if (!val || !train || val.ts.length < MIN_EVALS) return null;
  const n = val.ts.length;
  // The best evaluation: the first point within noise of the minimum, so a flat bottom counts from its start.
  let m = 0;
  for (let i = 1; i < n; i++) if (val.ts[i] < val.ts[m]) m = i;
  const after = n - 1 - m;
  if (after < Math.max(MIN_EVALS_AFTER_BEST, Math.ceil(n * MIN_SHARE_AFTER_BEST))) return null;
  const post = Array.from(val.ts.subarray(m + 1));
  const valLevel = median(post.slice(Math.floor(post.length / 2)));
  const valRise = valLevel - val.ts[m];
  const noise = Number.isFinite(val.noise) ? val.noise : 0;
  const trainAtBest = smoothedAtPointOf(train, val, m);
  const trainEnd = median(Array.from(train.ts.subarray(Math.max(0, train.ts.length - Math.max(1, Math.floor(train.ts.length * 0.1))))));
  const trainDrop = Number.isFinite(trainAtBest) ? trainAtBest - trainEnd : NaN;
  if (!(trainDrop >= (train.logScale ? MIN_LOG_TRAIN_DROP : 0.1 * train.range))) return null;
  const whatIf = earlyStoppingWhatIf(val, WHAT_IF_PATIENCE);
  const minRise = val.logScale ? MIN_LOG_VAL_RISE : 0.05 * val.range;
  if (valRise >= Math.max(VAL_RISE_SIGMAS * noise, minRise)) {
    return { status: 'fail', val, train, bestIndex: m, valRise, trainDrop, whatIf };
  }
  // Validation stalled (no new best for the rest of the run) while training pulled away.
  if (valRise >= -MIN_LOG_CHANGE && val.logScale && train.logScale && trainDrop + valRise >= GAP_WIDENING_WARN) {
    return { status: 'warn', val, train, bestIndex: m, valRise, trainDrop, whatIf };
  }
  return null;
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
    if (!f) return itemOf(this, 'pass', `${val.name} does not turn up while training improves`, '', { series: val.name });
    const best = whenAt(val, f.bestIndex);
    const last = val.ts.length - 1;
    const unit = best.epoch !== undefined ? 'epoch' : 'step';
    const bestWhen = best.epoch ?? best.step;
    // The turn is judged on the smoothed curve; the evidence quotes the logged values (the real minimum and its epoch).
    let rawBest = 0;
    for (let i = 1; i < val.ty.length; i++) if (val.ty[i] < val.ty[rawBest]) rawBest = i;
    const rawBestAt = whenAt(val, rawBest);
    const bestValue = Number(val.y[rawBest].toPrecision(4));
    const lastValue = Number(val.y[last].toPrecision(4));
    const w = f.whatIf;
    const saved = (x: WhatIf) => `saved ${Math.round(x.savedShare * 100)} % of the ${unit}s`;
    let whatIfText: string;
    if (w.stopIndex === null) {
      whatIfText = `early stopping with patience ${WHAT_IF_PATIENCE} would not have triggered`;
    } else if (w.stopIndex >= rawBest) {
      whatIfText = `early stopping with patience ${WHAT_IF_PATIENCE} would have stopped at ${unit} ${w.stopWhen} and ${saved(w)}`;
    } else {
      // Patience 3 would have stopped before the real best: say so, and which patience fits this curve's noise.
      const fit = patienceReachingBest(val, WHAT_IF_PATIENCE + 1);
      whatIfText = `early stopping with patience ${WHAT_IF_PATIENCE} would have stopped too soon, at ${unit} ${w.stopWhen}, before the best ${unit} ${rawBestAt.epoch ?? rawBestAt.step}`;
      if (fit && fit.whatIf.stopIndex !== null) {
        whatIfText += `; patience ${fit.patience} would have stopped at ${unit} ${fit.whatIf.stopWhen} and ${saved(fit.whatIf)}`;
      }
    }
    const marks: Mark[] = [
      { series: val.name, step: rawBestAt.step, label: `best ${val.name}`, kind: 'point', value: bestValue },
      { series: val.name, step: best.step, label: 'overfitting starts', kind: 'line' },
    ];
    if (w.stopIndex !== null && w.savedShare > 0) {
      marks.push({ series: val.name, step: Math.round(val.x[w.stopIndex]), toStep: Math.round(val.x[last]), label: 'saved by early stopping', kind: 'band' });
    }
    const verb = f.status === 'fail' ? 'rises' : 'stops improving';
    return itemOf(
      this,
      f.status,
      `${val.name} ${verb} after ${unit} ${bestWhen} while ${f.train.name} keeps falling`,
      `Stop at ${unit} ${bestWhen} (${whatIfText}); add dropout, weight decay or augmentation, or get more data.`,
      {
        onsetEpoch: best.epoch ?? null,
        onsetStep: best.step,
        valSeries: val.name,
        valBest: bestValue,
        valBestAt: rawBestAt.epoch ?? rawBestAt.step,
        valLast: lastValue,
        // The names of DESIGN.md's example, when the judged curve is the validation loss.
        ...(val.key === 'loss' ? { valLossMin: bestValue, valLossLast: lastValue } : {}),
        valRiseFactor: val.logScale ? Number(Math.exp(f.valRise).toFixed(3)) : Number(f.valRise.toPrecision(3)),
        trainSeries: f.train.name,
        trainImprovementFactor: f.train.logScale ? Number(Math.exp(f.trainDrop).toFixed(3)) : Number(f.trainDrop.toPrecision(3)),
        whatIf: { patience: WHAT_IF_PATIENCE, stopAt: w.stopWhen, unit, savedShare: Number(w.savedShare.toFixed(3)), restoredBest: whenAt(val, w.bestIndex).epoch ?? whenAt(val, w.bestIndex).step, text: whatIfText },
      },
      marks,
    );
  },
};

