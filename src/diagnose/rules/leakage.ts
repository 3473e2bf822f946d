/** leakage: validation examples that also appear in training; validation scores are then optimistic. */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { shareOf } from '../../data/dataset-checks.ts';

/** Any overlap is a warning; above this share of the validation set, a failure. */
export const FAIL_SHARE = 0.01;

export const leakageRule: Rule = {
  id: 'leakage',
  area: 'data',
  check({ context }) {
    const o = context.dataset?.trainValOverlap;
    const share = shareOf(o, context.dataset?.valSize);
    if (o === undefined || share === null) return unknownItem(this, 'Train/validation overlap is not known', 'Provide dataset statistics (validation examples also in training, validation size) to check for leakage.');
    const evidence = { overlap: o, valSize: context.dataset?.valSize, share: Number(share.toFixed(4)) };
    if (o === 0) return itemOf(this, 'pass', 'No validation example appears in training', '', evidence);
    return itemOf(this, share >= FAIL_SHARE ? 'fail' : 'warn', `${o} validation examples (${(share * 100).toFixed(1)} %) also appear in training`, 'Split after de-duplication (and by group: patient, user, source) so no example is on both sides.', evidence);
  },
};
