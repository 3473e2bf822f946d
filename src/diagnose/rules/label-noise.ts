/**
 * label_noise: labels that are wrong cap what the model can fit. Known directly when the dataset statistics count
 * likely label errors (a confident-learning pass, a training job's contradicted labels). From the curves alone it
 * shows where clean validation labels meet noisy training ones: the model predicts the validation set far better
 * than the very training data it learns from — training accuracy well below validation accuracy, or a training loss
 * several times the validation loss — by more than dropout or augmentation explain (val_better_than_train covers
 * those smaller margins and is folded into this finding when both show).
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { shareOf, trainSizeOf } from '../../data/dataset-checks.ts';
import type { Curve } from '../signals/view.ts';
import { smoothedAtPointOf } from '../signals/view.ts';
import { median } from '../signals/stats.ts';

export const WARN_SHARE = 0.03;
export const FAIL_SHARE = 0.1;
/**
 * Thresholds of the curve reading, fitted on the corpus' tune split by `npm run corpus -- --fit`; `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values. Over the second half of the evaluations, the median of
 * validation accuracy − training accuracy must reach `accuracyMargin`, or the median of log(train loss / val loss)
 * `lossLogMargin`.
 */
export const FIT = { accuracyMargin: 0.142, lossLogMargin: 0.9, falseAlarms: 0.005 };
/**
 * Evaluations in the second half needed to call it (the run needs twice as many): 2, the corpus definition's (4
 * validation evaluations). The margins are large (14 accuracy points, a training loss 2.5× the validation's), so a
 * short run that shows them on both late evaluations shows them. Tune split, from 3: label_noise found 48 → 52, no
 * false positive more, healthy false alarms unchanged.
 */
export const MIN_PAIRS = 2;

/** Median over the second half of the evaluations of (train − val) on the judging scale (badness: positive = train worse). */
function margin(train: Curve, val: Curve): { median: number; pairs: number; trainLevel: number; valLevel: number } {
  const d: number[] = [];
  const tv: number[] = [];
  const vv: number[] = [];
  for (let i = Math.floor(val.ts.length / 2); i < val.ts.length; i++) {
    const t = smoothedAtPointOf(train, val, i);
    if (!Number.isFinite(t)) continue;
    d.push(t - val.ts[i]!);
    tv.push(train.scale.fromBadness(t));
    vv.push(val.scale.fromBadness(val.ts[i]!));
  }
  return { median: d.length ? median(d) : NaN, pairs: d.length, trainLevel: tv.length ? median(tv) : NaN, valLevel: vv.length ? median(vv) : NaN };
}

export interface CurveLabelNoise {
  kind: 'accuracy' | 'loss';
  train: Curve;
  val: Curve;
  /** Accuracy points (0…1) or log ratio of the losses. */
  margin: number;
  trainLast: number;
  valLast: number;
  /** Medians over the second half of the evaluations (raw scale): the levels the margin compares, shown to the user. */
  trainLevel: number;
  valLevel: number;
}

export function labelNoiseFromCurves(tl: Curve | null, vl: Curve | null, tm: Curve | null, vm: Curve | null): CurveLabelNoise | null {
  if (tm && vm && tm.key === 'accuracy' && vm.key === 'accuracy' && vm.ts.length >= MIN_PAIRS * 2) {
    // On the raw accuracy, not the log-error scale: "12 points below" is what the user reads. The decision takes the
    // median of the paired differences; the title shows the two medians and their difference, so its numbers add up.
    const d: number[] = [];
    const tv: number[] = [];
    const vv: number[] = [];
    for (let i = Math.floor(vm.s.length / 2); i < vm.s.length; i++) {
      const t = smoothedAtPointOf(tm, vm, i);
      if (!Number.isFinite(t)) continue;
      const tr = tm.scale.fromBadness(t);
      d.push(vm.s[i]! - tr);
      tv.push(tr);
      vv.push(vm.s[i]!);
    }
    const m = d.length >= MIN_PAIRS ? median(d) : NaN;
    if (m >= FIT.accuracyMargin) return { kind: 'accuracy', train: tm, val: vm, margin: m, trainLast: tm.s[tm.s.length - 1]!, valLast: vm.s[vm.s.length - 1]!, trainLevel: median(tv), valLevel: median(vv) };
  }
  if (tl && vl && tl.logScale && vl.logScale && vl.ts.length >= MIN_PAIRS * 2) {
    const m = margin(tl, vl);
    if (m.pairs >= MIN_PAIRS && m.median >= FIT.lossLogMargin) return { kind: 'loss', train: tl, val: vl, margin: m.median, trainLast: tl.s[tl.s.length - 1]!, valLast: vl.s[vl.s.length - 1]!, trainLevel: m.trainLevel, valLevel: m.valLevel };
  }
  return null;
}

export const labelNoiseRule: Rule = {
  id: 'label_noise',
  area: 'data',
  check({ view, context }) {
    const e = context.dataset?.likelyLabelErrors;
    const share = shareOf(e, trainSizeOf(context.dataset) ?? undefined);
    if (e !== undefined && share !== null) {
      const evidence = { likelyLabelErrors: e, share: Number(share.toFixed(4)) };
      if (share < WARN_SHARE) return itemOf(this, 'pass', `${(share * 100).toFixed(1)} % of labels look wrong`, '', evidence);
      return itemOf(this, share >= FAIL_SHARE ? 'fail' : 'warn', `${(share * 100).toFixed(1)} % of labels look wrong (${e} examples)`, 'Review and relabel the flagged examples, or use a noise-robust loss (label smoothing, co-teaching).', evidence);
    }
    const f = labelNoiseFromCurves(view.trainLoss, view.valLoss, view.trainMetric, view.valMetric);
    if (!f) {
      const canRead = (view.trainLoss && view.valLoss) || (view.trainMetric && view.valMetric);
      if (!canRead) return unknownItem(this, 'Label quality is not known', 'Log training and validation accuracy (or loss), or provide dataset statistics with a likely-label-error count (e.g. from a confident-learning pass).');
      // What was looked for, not a claim about the fit: a run with a train/validation gap also passes here.
      return itemOf(this, 'pass', 'No sign of noisy labels: training does not stay worse than validation', '', {});
    }
    const title =
      f.kind === 'accuracy'
        ? `Over the second half of the run ${f.train.name} stays ${Math.round(f.valLevel * 100) - Math.round(f.trainLevel * 100)} points below ${f.val.name} (medians ${Math.round(f.trainLevel * 100)} % vs ${Math.round(f.valLevel * 100)} %): the model predicts validation better than the labels it trains on`
        : `Over the second half of the run ${f.train.name} stays ${(f.trainLevel / f.valLevel).toFixed(1)}× ${f.val.name} (medians ${Number(f.trainLevel.toPrecision(3))} vs ${Number(f.valLevel.toPrecision(3))}): the model cannot fit training labels it gets right on validation`;
    return itemOf(
      this,
      'warn',
      title,
      'Part of the training labels are likely wrong (validation labels cleaner than training ones): review a sample of training examples the model gets "wrong", relabel or drop them (confident learning), or use a noise-robust loss (label smoothing, co-teaching).',
      { from: 'curves', kind: f.kind, train: f.train.name, val: f.val.name, margin: Number(f.margin.toFixed(3)), trainLevel: Number(f.trainLevel.toPrecision(4)), valLevel: Number(f.valLevel.toPrecision(4)), trainLast: Number(f.trainLast.toPrecision(4)), valLast: Number(f.valLast.toPrecision(4)) },
    );
  },
};
