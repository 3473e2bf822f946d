/** Exact duplicates: the same input more than once in the training set (it counts twice in the loss). */
import type { DataTable } from '../table.ts';
import { TRAIN } from '../table.ts';
import type { CheckContext } from '../context.ts';
import { MAX_EXAMPLE_NAMES, pct, plural, type DataCheckItem } from '../item.ts';

/** Share of training examples that are extra copies at which the item warns, and fails. */
export const DUPLICATES_WARN = 0.01;
export const DUPLICATES_FAIL = 0.1;

export function exactDuplicatesCheck(t: DataTable, c: CheckContext): DataCheckItem {
  const groups = c.exactGroups.map((g) => g.filter((i) => t.split[i] === TRAIN)).filter((g) => g.length > 1);
  const extra = groups.reduce((s, g) => s + g.length - 1, 0);
  const share = c.train.length ? extra / c.train.length : 0;
  const status = share >= DUPLICATES_FAIL ? 'fail' : share >= DUPLICATES_WARN ? 'warn' : 'pass';
  const largest = groups.reduce((m, g) => Math.max(m, g.length), 0);
  return {
    id: 'duplicates',
    title: 'Exact duplicates',
    status,
    summary:
      extra === 0
        ? `no two training inputs are identical (content hash of ${plural(c.train.length, 'example')})`
        : `${plural(extra, 'extra copy', 'extra copies')} (${pct(share)} of training) in ${plural(groups.length, 'group')} of identical inputs; the largest has ${largest}`,
    fix: status === 'pass' ? undefined : 'Drop the copies (keep one of each) so no example weighs more than once and none can sit on both sides of a split.',
    evidence: { extraCopies: extra, groups: groups.length, share, largestGroup: largest },
    examples: groups.slice(0, MAX_EXAMPLE_NAMES).map((g) => g.slice(0, 3).map((i) => t.names[i]).join(' = ')),
  };
}
