/** underfitting: the model cannot fit even the training data: training stalls with little progress and validation tracks it. */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { findStall } from './plateau-analysis.ts';
import { fmt } from './shared.ts';

/** Validation within this log-distance of training at the end = no generalization gap to speak of. */
export const NO_GAP_LOG = 0.15;
/** Training accuracy at or above this is not underfitting, whatever the curve shape. */
export const GOOD_TRAIN_ACCURACY = 0.95;

export const underfittingRule: Rule = {
  id: 'underfitting',
  area: 'generalization',
  check({ view }) {
    // The metric stands in only when it is long enough; otherwise the (short) loss is the curve to report on.
    const train = view.trainLoss && view.trainLoss.ts.length >= 5 ? view.trainLoss : view.trainMetric && view.trainMetric.ts.length >= 5 ? view.trainMetric : view.trainLoss ?? view.trainMetric;
    if (!train) return unknownItem(this, 'No training curve to judge underfitting', 'Log the training loss per epoch.');
    if (train.ts.length < 5) return unknownItem(this, `Too few training points to judge underfitting (${train.name} has ${train.ts.length}, needs 5)`, 'Log the training loss at least 5 times (per epoch or per step).');
    const st = findStall(train);
    const acc = view.trainMetric && view.trainMetric.key === 'accuracy' ? view.trainMetric.s[view.trainMetric.s.length - 1] : NaN;
    if (!st || !st.smallProgress || !st.flat || acc >= GOOD_TRAIN_ACCURACY) {
      return itemOf(this, 'pass', `${train.name} made progress`, '', { series: train.name });
    }
    const val = train.key === 'loss' ? view.valLoss : view.valMetric;
    let gap: number | null = null;
    if (val && val.ts.length > 0 && val.logScale === train.logScale) {
      gap = val.ts[val.ts.length - 1] - train.ts[train.ts.length - 1];
      if (gap > NO_GAP_LOG) return itemOf(this, 'pass', 'Training stalled but validation is well behind it: not classic underfitting', '', { gap });
    }
    return itemOf(
      this,
      'warn',
      `${train.name} stalled at ${fmt(train.s[train.s.length - 1])} with little progress${val ? ` and ${val.name} tracks it` : ''}`,
      'Underfitting: increase capacity (wider/deeper), train longer with a higher learning rate, reduce regularisation, or engineer better features.',
      { series: train.name, progressLog: Number(st.progress.toFixed(3)), trainAccuracy: Number.isFinite(acc) ? Number(acc.toFixed(3)) : null, valGap: gap === null ? null : Number(gap.toFixed(3)) },
      [],
    );
  },
};
