/** label_noise: examples flagged as likely mislabeled (e.g. by confident learning); noisy labels cap accuracy. */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { shareOf, trainSizeOf } from '../../data/dataset-checks.ts';

export const WARN_SHARE = 0.03;
export const FAIL_SHARE = 0.1;

export const labelNoiseRule: Rule = {
  id: 'label_noise',
  area: 'data',
  check({ context }) {
    const e = context.dataset?.likelyLabelErrors;
    const share = shareOf(e, trainSizeOf(context.dataset) ?? undefined);
    if (e === undefined || share === null) return unknownItem(this, 'Label quality is not known', 'Provide dataset statistics with a likely-label-error count (e.g. from a confident-learning pass).');
    const evidence = { likelyLabelErrors: e, share: Number(share.toFixed(4)) };
    if (share < WARN_SHARE) return itemOf(this, 'pass', `${(share * 100).toFixed(1)} % of labels look wrong`, '', evidence);
    return itemOf(this, share >= FAIL_SHARE ? 'fail' : 'warn', `${(share * 100).toFixed(1)} % of labels look wrong (${e} examples)`, 'Review and relabel the flagged examples, or use a noise-robust loss (label smoothing, co-teaching).', evidence);
  },
};
