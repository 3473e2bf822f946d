/** Near duplicates: inputs that differ only by noise, resizing or rounding (a perceptual hash for images, rounding for rows). */
import type { DataTable } from '../table.ts';
import { TRAIN } from '../table.ts';
import type { CheckContext } from '../context.ts';
import { MAX_EXAMPLE_NAMES, pct, plural, type DataCheckItem } from '../item.ts';

/** Share of training examples in near-duplicate groups beyond one each at which the item warns, and fails. */
export const NEAR_DUPLICATES_WARN = 0.05;
export const NEAR_DUPLICATES_FAIL = 0.25;

export function nearDuplicatesCheck(t: DataTable, c: CheckContext): DataCheckItem {
  const exactOf = new Map<number, number>();
  c.exactGroups.forEach((g, k) => g.forEach((i) => exactOf.set(i, k)));
  // Near groups that are more than one exact group (the exact copies are the other item's).
  const groups = c.nearGroups
    .map((g) => g.filter((i) => t.split[i] === TRAIN))
    .filter((g) => g.length > 1 && new Set(g.map((i) => exactOf.get(i) ?? -1 - i)).size > 1);
  const extra = groups.reduce((s, g) => s + new Set(g.map((i) => exactOf.get(i) ?? -1 - i)).size - 1, 0);
  const share = c.train.length ? extra / c.train.length : 0;
  const status = share >= NEAR_DUPLICATES_FAIL ? 'fail' : share >= NEAR_DUPLICATES_WARN ? 'warn' : 'pass';
  return {
    id: 'near_duplicates',
    title: 'Near duplicates',
    status,
    summary:
      extra === 0
        ? `no near-identical training inputs (${c.nearMethod})`
        : `${plural(extra, 'training input')} (${pct(share)}) nearly repeat another (${c.nearMethod}), in ${plural(groups.length, 'group')}`,
    fix: status === 'pass' ? undefined : 'Keep one of each group (or group them so they land on the same side of every split); near copies inflate validation scores and overweight what they show.',
    evidence: { nearCopies: extra, groups: groups.length, share, method: c.nearMethod },
    examples: groups.slice(0, MAX_EXAMPLE_NAMES).map((g) => g.slice(0, 3).map((i) => t.names[i]).join(' ≈ ')),
  };
}
