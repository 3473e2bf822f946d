/**
 * val_better_than_train: validation is consistently better than training. Usual causes: dropout/augmentation only in
 * training, training loss averaged over an epoch while the model improved, or validation data easier than/overlapping
 * with training.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { Curve } from '../signals/view.ts';
import { smoothedAtPointOf } from '../signals/view.ts';

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - minLogMargin: an evaluation counts when validation is better than training there by at least this much on the log
 *   scale (0.223: validation below 0.8× training)…
 * - share: …and at least this share of the evaluations in the second half of the run count.
 * Both are the corpus definition's, set by hand: the fit's pair (a median margin of 0.312 over a share of 0.948 of
 * evaluations merely better) asked every late evaluation to be better, so one noisy epoch cleared a run. Per
 * evaluation at the definition's margin, tune split: val_better_than_train F1 83 → 94, healthy false alarms unchanged.
 */
export const FIT = { share: 0.8, minLogMargin: 0.223, falseAlarms: 0.0025 };

function compare(train: Curve, val: Curve): { share: number; margin: number; count: number } {
  const n = val.ts.length;
  const diffs: number[] = [];
  for (let i = Math.floor(n / 2); i < n; i++) {
    const t = smoothedAtPointOf(train, val, i);
    if (Number.isFinite(t)) diffs.push(t - val.ty[i]!);
  }
  if (diffs.length === 0) return { share: 0, margin: 0, count: 0 };
  const better = diffs.filter((d) => d >= FIT.minLogMargin).length;
  diffs.sort((a, b) => a - b);
  return { share: better / diffs.length, margin: diffs[Math.floor(diffs.length / 2)]!, count: diffs.length };
}

export const valBetterThanTrainRule: Rule = {
  id: 'val_better_than_train',
  area: 'generalization',
  check({ view }) {
    const pairs: Array<[Curve, Curve]> = [];
    if (view.trainLoss && view.valLoss && view.trainLoss.logScale && view.valLoss.logScale) pairs.push([view.trainLoss, view.valLoss]);
    // The metric only without a loss pair: on log(1 − accuracy), 0.98 against 0.97 is a third fewer errors, a margin
    // every well-fitted healthy run shows somewhere (two thirds of this rule's false alarms on the corpus' healthy runs).
    if (pairs.length === 0 && view.trainMetric && view.valMetric && view.trainMetric.logScale && view.valMetric.logScale) pairs.push([view.trainMetric, view.valMetric]);
    if (pairs.length === 0) return unknownItem(this, 'No train/validation pair to compare', 'Log the same loss or metric for training and validation.');
    for (const [train, val] of pairs) {
      const r = compare(train, val);
      if (r.count >= 3 && r.share >= FIT.share) {
        return itemOf(
          this,
          'warn',
          `${val.name} ${train.key === 'loss' ? 'is at least 20 % below' : 'has at least 20 % fewer errors than'} ${train.name} at ${Math.round(r.share * 100)} % of the late evaluations`,
          'Usually harmless (dropout/augmentation only in training, or training loss averaged over the epoch); if the gap is large, check that validation does not overlap training and is not easier.',
          { train: train.name, val: val.name, shareBetter: Number(r.share.toFixed(2)), medianLogMargin: Number(r.margin.toFixed(3)) },
          [],
        );
      }
    }
    return itemOf(this, 'pass', 'Validation is not consistently better than training', '', {});
  },
};
