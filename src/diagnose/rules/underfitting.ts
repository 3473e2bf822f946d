/**
 * underfitting: the model cannot fit even the training data: the training curve made no progress at all after its
 * first evaluations, at a level it did not converge to, and validation tracks it (no gap). plateau-analysis.ts tells it
 * apart from a plateau (progress, then a stall) and from convergence.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { FIT, stalledTraining } from './plateau-analysis.ts';
import { fmt } from './shared.ts';

export const underfittingRule: Rule = {
  id: 'underfitting',
  area: 'generalization',
  check({ view }) {
    const train = view.trainLoss ?? view.trainMetric;
    if (!train) return unknownItem(this, 'No training curve to judge underfitting', 'Log the training loss per epoch.');
    if (train.ts.length < 5 && !(view.trainMetric && view.trainMetric.ts.length >= 5)) {
      return unknownItem(this, `Too few training points to judge underfitting (${train.name} has ${train.ts.length}, needs 5)`, 'Log the training loss at least 5 times (per epoch or per step).');
    }
    const s = stalledTraining(view);
    if (!s || s.kind !== 'underfitting') return itemOf(this, 'pass', `${train.name} made progress (or converged)`, '', { series: train.name });
    if (s.gap !== null && s.gap > FIT.noGapLog) return itemOf(this, 'pass', 'Training stalled but validation is well behind it: not classic underfitting', '', { gap: Number(s.gap.toFixed(3)) });
    const c = s.stall.curve;
    // Judged from the second evaluation when the first one still holds the descent from the initialisation.
    const from = s.stall.from === 1 ? 1 : 0;
    const after = from === 1 ? `after its first ${c.cadence === 'epoch' ? 'epoch' : 'evaluation'}` : 'after the start';
    const start = c.s[from]!;
    const end = c.s[c.s.length - 1]!;
    return itemOf(
      this,
      'warn',
      `${c.name} made ${littleOrNo(start, end, c.direction)} progress ${after} (${fmt(start)} → ${fmt(end)})${s.val ? ` and ${s.val.name} sits level with it` : ''}: the model cannot fit the data`,
      'Underfitting: increase capacity (wider/deeper), reduce regularisation (weight decay, dropout), train with a higher learning rate, or engineer better features.',
      { series: c.name, progressLog: Number(s.stall.progress.toFixed(3)), trainAccuracy: s.trainAccuracy !== null ? Number(s.trainAccuracy.toFixed(3)) : null, valGap: s.gap === null ? null : Number(s.gap.toFixed(3)) },
      [],
    );
  },
};

/**
 * "no" when the two levels are within 2 % of each other or the end is worse than the start (0.155 → 0.159 is no
 * progress, not a little), else "little": 1.21 → 1.09 is some progress, not none.
 */
export function littleOrNo(start: number, end: number, direction: 'lower' | 'higher'): string {
  const worse = direction === 'lower' ? end >= start : end <= start;
  return worse || Math.abs(end - start) <= 0.02 * Math.max(Math.abs(start), Math.abs(end)) ? 'no' : 'little';
}
