/** leakage: validation examples that also appear in training; validation scores are then optimistic. */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { shareOf } from '../../data/dataset-checks.ts';
import type { RunView } from '../signals/view.ts';

function perfectValidation(view: RunView): { what: string; series: string; step: number; value: number } | null {
  const acc = view.valMetric && view.valMetric.key === 'accuracy' ? view.valMetric : null;
  if (acc && acc.y.length > 0) {
    const last = acc.y[acc.y.length - 1];
    if (last >= PERFECT_ACCURACY) return { what: `${acc.name} ${last}`, series: acc.name, step: Math.round(acc.x[acc.x.length - 1]), value: last };
  }
  const vl = view.valLoss;
  const first = view.trainLoss?.source.values.find((v) => Number.isFinite(v));
  if (vl && vl.y.length > 0 && first !== undefined && first > 0) {
    const last = vl.y[vl.y.length - 1];
    if (last >= 0 && last <= PERFECT_LOSS_RATIO * first) return { what: `${vl.name} ${Number(last.toPrecision(3))} vs a first training loss of ${Number(first.toPrecision(3))}`, series: vl.name, step: Math.round(vl.x[vl.x.length - 1]), value: last };
  }
  return null;
}

/** Any overlap is a warning; above this share of the validation set, a failure. */
export const FAIL_SHARE = 0.01;
/** Without dataset statistics, a "too perfect" validation (accuracy at or above this, or a loss this many times below
 * the first training loss) is a hint, not a finding: leakage or a trivial task look exactly like this. */
export const PERFECT_ACCURACY = 0.999;
export const PERFECT_LOSS_RATIO = 1e-4;

export const leakageRule: Rule = {
  id: 'leakage',
  area: 'data',
  check({ view, context }) {
    const o = context.dataset?.trainValOverlap;
    const share = shareOf(o, context.dataset?.valSize);
    if (o === undefined || share === null) {
      const hint = perfectValidation(view);
      if (hint) {
        // Not a finding: easy tasks (iris, blobs, a clean MNIST subset) reach a perfect validation honestly, and a
        // warning here was the corpus' most common false alarm on healthy runs. Shown among what was not checked.
        return itemOf(this, 'unknown', `Train/validation overlap is not known; validation is perfect (${hint.what}): check for leakage unless the task is that easy`, 'Check that no validation example (or near-duplicate, or same group) is in training, and that the labels are not derivable from a template or an ID; provide dataset statistics to check overlap.', { ...hint, datasetStatsKnown: false });
      }
      return unknownItem(this, 'Train/validation overlap is not known', 'Provide dataset statistics (validation examples also in training, validation size) to check for leakage.');
    }
    const evidence = { overlap: o, valSize: context.dataset?.valSize, share: Number(share.toFixed(4)) };
    if (o === 0) return itemOf(this, 'pass', 'No validation example appears in training', '', evidence);
    return itemOf(this, share >= FAIL_SHARE ? 'fail' : 'warn', `${o} validation examples (${(share * 100).toFixed(1)} %) also appear in training`, 'Split after de-duplication (and by group: patient, user, source) so no example is on both sides.', evidence);
  },
};
