/** label_conflicts: identical inputs carrying different labels: the model cannot fit them and the labels are suspect. */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { shareOf, trainSizeOf } from '../../data/dataset-checks.ts';

export const FAIL_SHARE = 0.01;

export const labelConflictsRule: Rule = {
  id: 'label_conflicts',
  area: 'data',
  check({ context }) {
    const c = context.dataset?.labelConflicts;
    const share = shareOf(c, trainSizeOf(context.dataset) ?? undefined);
    if (c === undefined || share === null) return unknownItem(this, 'Label conflicts are not known', 'Provide dataset statistics (examples in groups of identical inputs with different labels) to check.');
    const evidence = { conflicting: c, share: Number(share.toFixed(4)) };
    if (c === 0) return itemOf(this, 'pass', 'No identical inputs with different labels', '', evidence);
    return itemOf(this, share >= FAIL_SHARE ? 'fail' : 'warn', `${c} examples (${(share * 100).toFixed(1)} %) share an input with a different label`, 'Review the conflicting groups: fix the labels, or merge them if the task is genuinely ambiguous.', evidence);
  },
};
