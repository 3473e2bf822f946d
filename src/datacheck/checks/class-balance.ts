/** Class balance: is the training set dominated by some classes, and does validation hold every class? */
import type { DataTable } from '../table.ts';
import type { CheckContext } from '../context.ts';
import { pct, type DataCheckItem } from '../item.ts';

/** Majority ÷ minority count at which the item warns, and fails. */
export const IMBALANCE_WARN = 3;
export const IMBALANCE_FAIL = 10;

export function classBalanceCheck(t: DataTable, c: CheckContext): DataCheckItem {
  const counts = new Array<number>(t.classNames.length).fill(0);
  for (const i of c.train) counts[t.y[i]!]!++;
  const present = counts.map((n, k) => ({ name: t.classNames[k]!, n })).filter((e) => e.n > 0);
  const base = { id: 'class_imbalance', title: 'Class balance' };
  const classCounts = Object.fromEntries(counts.map((n, k) => [t.classNames[k]!, n]));
  if (present.length < 2) {
    return { ...base, status: 'fail', summary: `the training set holds ${present.length} class${present.length === 1 ? ` (${present[0]!.name})` : 'es'}: a classifier needs at least two`, fix: 'Check the label column: every example has the same label.', evidence: { classCounts } };
  }
  present.sort((a, b) => b.n - a.n);
  const max = present[0]!;
  const min = present[present.length - 1]!;
  const ratio = max.n / min.n;
  const total = present.reduce((s, e) => s + e.n, 0);
  const missingInVal: string[] = [];
  if (c.val.length) {
    const valCounts = new Array<number>(t.classNames.length).fill(0);
    for (const i of c.val) valCounts[t.y[i]!]!++;
    for (const e of present) if (valCounts[t.classNames.indexOf(e.name)] === 0) missingInVal.push(e.name);
  }
  const evidence = { classCounts, imbalanceRatio: ratio, majority: max.name, minority: min.name, majorityShare: max.n / total, missingInValidation: missingInVal };
  const status = ratio >= IMBALANCE_FAIL ? 'fail' : ratio >= IMBALANCE_WARN || missingInVal.length ? 'warn' : 'pass';
  const summary =
    `${present.length} classes; the largest (${max.name}, ${max.n}) is ${ratio.toFixed(1)}× the smallest (${min.name}, ${min.n}); always answering ${max.name} scores ${pct(max.n / total)}` +
    (missingInVal.length ? `; validation has no example of ${missingInVal.slice(0, 5).join(', ')}` : '');
  return {
    ...base,
    status,
    summary,
    fix: status === 'pass' ? undefined : 'Weight the loss by inverse class frequency (class_weight) or resample the small classes, and judge by per-class recall or macro F1, not accuracy; give validation every class (a stratified split).',
    evidence,
  };
}
