/** class_imbalance: the largest class outnumbers the smallest by a wide margin; accuracy then flatters the model. */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { classBalance } from '../../data/dataset-checks.ts';

export const WARN_RATIO = 3;
export const FAIL_RATIO = 10;

export const classImbalanceRule: Rule = {
  id: 'class_imbalance',
  area: 'data',
  check({ context }) {
    const b = classBalance(context.dataset);
    if (!b) return unknownItem(this, 'Class counts are not known', 'Provide per-class example counts (dataset statistics) to check the balance.');
    const evidence = { ...b, imbalanceRatio: Number.isFinite(b.imbalanceRatio) ? Number(b.imbalanceRatio.toFixed(2)) : 'infinite', majorityShare: Number(b.majorityShare.toFixed(3)) };
    if (b.imbalanceRatio < WARN_RATIO) return itemOf(this, 'pass', `Classes are balanced (largest/smallest ${b.imbalanceRatio.toFixed(1)}×)`, '', evidence);
    return itemOf(
      this,
      b.imbalanceRatio >= FAIL_RATIO ? 'fail' : 'warn',
      `Class '${b.majority}' has ${Number.isFinite(b.imbalanceRatio) ? `${b.imbalanceRatio.toFixed(1)}×` : 'infinitely'} more examples than '${b.minority}'; always predicting it scores ${Math.round(b.majorityShare * 100)} %`,
      'Use class weights or resampling, judge with per-class recall / macro-F1 instead of accuracy, and stratify the validation split.',
      evidence,
    );
  },
};
