/** too_little_data: too few training examples overall or per class for the model to learn anything general. */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { classBalance, trainSizeOf } from '../../data/dataset-checks.ts';

/** Fewer examples than this in total, or in the smallest class: fail / warn. */
export const FAIL_TOTAL = 100;
export const WARN_TOTAL = 1000;
export const FAIL_PER_CLASS = 10;
export const WARN_PER_CLASS = 50;

export const tooLittleDataRule: Rule = {
  id: 'too_little_data',
  area: 'data',
  check({ context }) {
    const n = trainSizeOf(context.dataset);
    if (n === null) return unknownItem(this, 'Training-set size is not known', 'Provide dataset statistics (training size or per-class counts).');
    const b = classBalance(context.dataset);
    const perClass = b ? b.minorityCount : context.classes ? n / context.classes : null;
    const evidence = { trainSize: n, smallestClass: perClass };
    if (n < FAIL_TOTAL || (perClass !== null && perClass < FAIL_PER_CLASS)) {
      return itemOf(this, 'fail', `Only ${n} training examples${perClass !== null ? ` (${Math.floor(perClass)} in the smallest class)` : ''}`, 'Get more data, augment heavily, or start from a pretrained model and fine-tune only the head.', evidence);
    }
    if (n < WARN_TOTAL || (perClass !== null && perClass < WARN_PER_CLASS)) {
      return itemOf(this, 'warn', `A small training set: ${n} examples${perClass !== null ? ` (${Math.floor(perClass)} in the smallest class)` : ''}`, 'Use augmentation, a pretrained backbone, and strong regularisation; report results with confidence intervals.', evidence);
    }
    return itemOf(this, 'pass', `${n} training examples`, '', evidence);
  },
};
