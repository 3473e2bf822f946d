/**
 * generalization_gap: training accuracy far above validation accuracy at the end (the seed's 95 % vs 65 %).
 * Judged on accuracy-like rates; a loss gap alone is too confounded by regularisation to call.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { levels } from './shared.ts';

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - warnGap: Gap in accuracy points at the end: warn / fail. 0.1, the corpus definition's gap, set by hand once the end
 *   level became the median of the last evaluations: read off the last point of a running median, the fit had raised
 *   it to 0.119 to keep a last lucky evaluation from flagging healthy runs. Tune split: generalization_gap F1 73 → 95,
 *   healthy runs flagged unchanged.
 */
export const FIT = { warnGap: 0.1, failGap: 0.2, falseAlarms: 0 };

export const generalizationGapRule: Rule = {
  id: 'generalization_gap',
  area: 'generalization',
  check({ view }) {
    const t = view.trainMetric;
    const v = view.valMetric;
    if (!t || !v || t.key !== v.key || !t.logScale || !v.logScale || t.direction !== 'higher') {
      return unknownItem(this, 'No training and validation accuracy to compare', 'Log accuracy (or another 0–1 metric) for both training and validation.');
    }
    // The end level is the median of the last evaluations (levels(): the last 10 %, at least 3), not the last point:
    // one lucky or unlucky last evaluation of a validation set of a few hundred moves it by several points.
    const k = (c: typeof t) => c.scale.fromBadness(levels(c).tail);
    const gap = k(t) - k(v);
    const evidence = { train: t.name, val: v.name, trainLast: Number(k(t).toFixed(4)), valLast: Number(k(v).toFixed(4)), gap: Number(gap.toFixed(4)) };
    if (gap < FIT.warnGap) return itemOf(this, 'pass', `Train/validation ${t.key} gap is ${Math.round(gap * 100)} ${Math.round(gap * 100) === 1 ? 'point' : 'points'}`, '', evidence);
    return itemOf(
      this,
      gap >= FIT.failGap ? 'fail' : 'warn',
      `${t.name} ${Math.round(k(t) * 100)} % vs ${v.name} ${Math.round(k(v) * 100)} %: a ${Math.round(gap * 100)}-point generalization gap`,
      'Regularise (dropout, weight decay, augmentation), get more or more varied data, or use a smaller model; check that validation comes from the same distribution.',
      evidence,
      [{ series: v.name, step: Math.round(v.x[v.x.length - 1]), label: `gap ${Math.round(gap * 100)} pts`, kind: 'point', value: Number(k(v).toFixed(4)) }],
    );
  },
};
