/**
 * noisy_validation: the validation curve jumps from evaluation to evaluation by much more than its trend moves:
 * single-epoch readings cannot be trusted for model selection.
 *
 * The jitter is the robust σ of the evaluation-to-evaluation changes (signals/noise.ts), of the validation curve
 * itself and of its difference to the training curve at the same steps (the smaller: see below), judged by what it
 * can be said to be at least: a MAD-based σ from m changes has a relative standard error of about 1.17/√m, so a curve is
 * called noisy when its jitter minus one standard error clears the bar. Five evaluations of a falling curve (whose
 * changes differ because the trend bends, not because of noise) then no longer pass for ±12 % jitter, while a long
 * run's estimate is taken nearly at face value.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { judgedValidation } from './overfitting.ts';
import { levels } from './shared.ts';
import { ONE_BATCH_NAME, smoothedAtPointOf, type Curve, type RunView } from '../signals/view.ts';
import { perEpoch } from './oscillation.ts';
import { noiseLevel, secondDifferenceNoise } from '../signals/noise.ts';

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - warnLogNoise: Evaluation-to-evaluation jitter (robust σ on the log scale, ≈ relative) that the lower bound must reach to warn…
 *   0.1 set by hand (the fit had 0.167) once logs with only step-level training loss were compared with its per-epoch
 *   mean: that comparison removed most false alarms the lower bar used to cost (tune split: F1 54 → 68, healthy runs
 *   flagged 0 → 1 of 404);
 * - failLogNoise: …and to fail.
 * - warnRangeNoise: On a linear scale, jitter as a share of the curve's range (warn; twice this fails).
 * - minNoiseRatio: The validation's jitter over the per-epoch training curve's own (same metric and scale): below it,
 *   training moves about as much, so the jumps are the training's (rate, batch) and not a small validation set's.
 */
export const FIT = { warnLogNoise: 0.1, failLogNoise: 0.15, warnRangeNoise: 0.1, minNoiseRatio: 4, falseAlarms: 0.0025 };
export const MIN_EVALS = 5;
/** Below this many evaluations the noise estimate rests on a handful of differences: at most a warning. */
export const MIN_EVALS_FOR_FAIL = 8;
/** Relative standard error of a MAD-based σ from m values is about this / √m (the MAD's 37 % efficiency). */
export const MAD_RELATIVE_SE = 1.166;

/** What the jitter estimate `sigma` from `m` changes can be said to be at least (one standard error below). */
export function jitterLowerBound(sigma: number, m: number): number {
  if (!(m > 0) || !Number.isFinite(sigma)) return NaN;
  return sigma * Math.max(0, 1 - MAD_RELATIVE_SE / Math.sqrt(m));
}

/**
 * Jitter of validation relative to training: the robust σ of the changes of (validation − training at the same step)
 * on the judging scale. When both curves bend together (the same model learning), the bend cancels and what is left
 * is the validation's own jitter plus the training curve's. NaN when there is no training curve of the same metric.
 */
export function jitterAgainstTraining(val: Curve, train: Curve | null): { sigma: number; m: number } {
  if (!train || train.key !== val.key || train.logScale !== val.logScale) return { sigma: NaN, m: 0 };
  const r: number[] = [];
  for (let i = 0; i < val.x.length; i++) {
    const t = smoothedAtPointOf(train, val, i);
    if (Number.isFinite(t)) r.push(val.ty[i] - t);
  }
  return r.length >= MIN_EVALS ? { sigma: noiseLevel(r), m: r.length - 1 } : { sigma: NaN, m: 0 };
}

/**
 * The training curve of the validation's metric, one value per epoch: an epoch-level series when the log has one, else
 * the step-level loss averaged per epoch (what the validation, evaluated once an epoch, is compared with). Null when
 * there are fewer than MIN_EVALS epochs of it.
 */
export function epochTrainingCurve(view: RunView, val: Curve): { name: string; ty: ArrayLike<number> } | null {
  const epochs = view.all.filter((c) => c.split === 'train' && c.key === val.key && c.cadence === 'epoch' && c.logScale === val.logScale && c.ty.length >= MIN_EVALS);
  // A name that says one batch (Lightning's `train_loss_step`, shown once an epoch at the bar's end) is a sample, not
  // the epoch's level: its jumps are one batch's, and it would pass the validation's own jitter off as training's.
  const epoch = epochs.find((c) => !ONE_BATCH_NAME.test(c.name)) ?? epochs[0];
  if (epoch) return epoch;
  const step = view.all.find((c) => c.split === 'train' && c.key === val.key && c.logScale === val.logScale && c.epoch.length > 0 && c.epoch.every((e) => Number.isFinite(e)));
  if (!step) return null;
  const { v } = perEpoch(step);
  return v.length >= MIN_EVALS ? { name: `${step.name} (per-epoch mean)`, ty: v } : null;
}

export const noisyValidationRule: Rule = {
  id: 'noisy_validation',
  area: 'generalization',
  check({ view }) {
    const { val, train } = judgedValidation(view);
    if (!val) return unknownItem(this, 'No validation curve', 'Log val_loss (or a validation metric) each epoch to judge its noise.');
    if (val.ty.length < MIN_EVALS) return unknownItem(this, `Only ${val.ty.length} validation points`, `Evaluate at least ${MIN_EVALS} times to judge the noise.`);
    const lv = levels(val);
    const own = val.logScale ? val.noise : val.noise / val.range;
    const vsTrain = jitterAgainstTraining(val, train);
    const rel = val.logScale ? vsTrain.sigma : vsTrain.sigma / val.range;
    // Both are upper readings of the validation's own jitter (the first adds the bend of the curve, the second the
    // training curve's jitter and the gap's trend): the smaller is the better one.
    const useTrain = Number.isFinite(rel) && jitterLowerBound(rel, vsTrain.m) < jitterLowerBound(own, val.ty.length - 1);
    const relative = useTrain ? rel : own;
    const atLeast = jitterLowerBound(relative, useTrain ? vsTrain.m : val.ty.length - 1);
    const warnAt = val.logScale ? FIT.warnLogNoise : FIT.warnRangeNoise;
    const failAt = val.logScale ? FIT.failLogNoise : 2 * FIT.warnRangeNoise;
    const evidence = {
      series: val.name,
      jitter: Number(relative.toFixed(3)),
      jitterAtLeast: Number(atLeast.toFixed(3)),
      jitterOf: useTrain ? `${val.name} relative to ${train!.name}` : val.name,
      evaluations: val.ty.length,
      jitterIs: val.logScale ? 'relative (robust σ of log changes)' : 'share of range',
      progress: Number(lv.progress.toFixed(3)),
    };
    // Below 1 % a rounded "±0 %" reads as no jitter at all: one decimal then.
    const pct = (x: number) => (x * 100 < 0.95 ? (x * 100).toFixed(1) : String(Math.round(x * 100)));
    const shown = (x: number) => (val.logScale ? `±${pct(x)} %` : `±${pct(x)} % of its range`);
    if (!(atLeast >= warnAt)) return itemOf(this, 'pass', `${val.name} moves smoothly enough (jitter ${shown(relative)} over ${val.ty.length} evaluations)`, '', evidence);
    const trainEpoch = epochTrainingCurve(view, val);
    if (trainEpoch) {
      // Both point noises from second differences (a straight trend cancels; a bend mostly does), measured alike.
      const trainJitter = secondDifferenceNoise(trainEpoch.ty) / (val.logScale ? 1 : val.range);
      const ratio = secondDifferenceNoise(val.ty) / (val.logScale ? 1 : val.range) / trainJitter;
      Object.assign(evidence, { trainJitter: Number(trainJitter.toFixed(3)), noiseRatio: Number.isFinite(ratio) ? Number(ratio.toFixed(2)) : null });
      if (trainJitter > 0 && ratio < FIT.minNoiseRatio) {
        return itemOf(this, 'pass', `${val.name} jumps by about ${shown(relative)}, but ${trainEpoch.name} is nearly as jumpy: the jumps come from training, not from a small validation set`, '', evidence);
      }
    }
    return itemOf(
      this,
      atLeast >= failAt && val.ty.length >= MIN_EVALS_FOR_FAIL ? 'fail' : 'warn',
      `${val.name} jumps by about ${shown(relative)} between evaluations`,
      'Use a larger validation set (or evaluate on more batches), smooth the learning rate (lower it or decay it), and select checkpoints on a moving average.',
      evidence,
      [],
    );
  },
};
