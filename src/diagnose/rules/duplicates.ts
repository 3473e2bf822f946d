/** duplicates: repeated examples inside the training set (inflate some examples' weight, hide the real data size). */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { shareOf, trainSizeOf } from '../../data/dataset-checks.ts';

export const WARN_SHARE = 0.01;
export const FAIL_SHARE = 0.1;

export const duplicatesRule: Rule = {
  id: 'duplicates',
  area: 'data',
  check({ context }) {
    const d = context.dataset?.duplicates;
    const share = shareOf(d, trainSizeOf(context.dataset) ?? undefined);
    if (d === undefined || share === null) return unknownItem(this, 'Duplicate count is not known', 'Provide dataset statistics (duplicate inputs and training size) to check for duplicates.');
    const evidence = { duplicates: d, share: Number(share.toFixed(4)) };
    if (share < WARN_SHARE) return itemOf(this, 'pass', `${d} duplicate examples (${(share * 100).toFixed(1)} %)`, '', evidence);
    return itemOf(this, share >= FAIL_SHARE ? 'fail' : 'warn', `${(share * 100).toFixed(1)} % of training examples are duplicates (${d})`, 'De-duplicate the training set (hash the inputs) before splitting.', evidence);
  },
};
