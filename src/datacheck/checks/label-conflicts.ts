/** Conflicting labels: identical inputs that carry different labels (no model can get both right). */
import type { DataTable } from '../table.ts';
import type { CheckContext } from '../context.ts';
import { MAX_EXAMPLE_NAMES, pct, plural, type DataCheckItem } from '../item.ts';

/** Share of examples in conflicting groups at which the item warns, and fails. */
export const CONFLICTS_WARN = 0.001;
export const CONFLICTS_FAIL = 0.02;

export function labelConflictsCheck(t: DataTable, c: CheckContext): DataCheckItem {
  const conflicting = c.exactGroups.filter((g) => new Set(g.map((i) => t.y[i])).size > 1);
  const examples = conflicting.reduce((s, g) => s + g.length, 0);
  const share = t.y.length ? examples / t.y.length : 0;
  const status = share >= CONFLICTS_FAIL ? 'fail' : share >= CONFLICTS_WARN ? 'warn' : 'pass';
  const describe = (g: number[]) => {
    const labels = [...new Set(g.map((i) => t.classNames[t.y[i]!]))];
    return `${g.slice(0, 3).map((i) => t.names[i]).join(', ')}${g.length > 3 ? ' …' : ''}: ${labels.join(' vs ')}`;
  };
  return {
    id: 'label_conflicts',
    title: 'Conflicting labels',
    status,
    summary:
      examples === 0
        ? 'no identical inputs carry different labels'
        : `${plural(conflicting.length, 'group')} of identical inputs carry different labels (${plural(examples, 'example')}, ${pct(share)})`,
    fix: status === 'pass' ? undefined : 'Decide each group\'s label (or drop it): the same input with two labels caps the accuracy any model can reach and teaches it to hedge.',
    evidence: { groups: conflicting.length, examples, share },
    examples: conflicting.slice(0, MAX_EXAMPLE_NAMES).map(describe),
  };
}
