/** Train/validation leakage: validation examples that are the same, or nearly the same, as a training example. */
import type { DataTable } from '../table.ts';
import { TRAIN, VALIDATION } from '../table.ts';
import type { CheckContext } from '../context.ts';
import { MAX_EXAMPLE_NAMES, pct, plural, type DataCheckItem } from '../item.ts';

/** Share of validation examples also (nearly) in training at which the item warns, and fails. */
export const LEAKAGE_WARN = 0.001;
export const LEAKAGE_FAIL = 0.01;

export function leakageCheck(t: DataTable, c: CheckContext): DataCheckItem {
  const base = { id: 'leakage', title: 'Train/validation leakage' };
  if (!t.hasValidation || c.val.length === 0) {
    return {
      ...base,
      status: 'unknown',
      summary: 'the file has no validation split to compare with training',
      fix: 'Add a split column (train/val) to the CSV, x_val/y_val arrays to the .npz, or train/ and val/ folders to the zip.',
      evidence: {},
    };
  }
  const leaked = (groups: number[][]) => {
    const out: Array<{ val: number; train: number }> = [];
    for (const g of groups) {
      const tr = g.find((i) => t.split[i] === TRAIN);
      if (tr === undefined) continue;
      for (const i of g) if (t.split[i] === VALIDATION) out.push({ val: i, train: tr });
    }
    return out;
  };
  const exact = leaked(c.exactGroups);
  const exactVal = new Set(exact.map((e) => e.val));
  const near = leaked(c.nearGroups).filter((e) => !exactVal.has(e.val));
  const count = exact.length + near.length;
  const share = count / c.val.length;
  const status = share >= LEAKAGE_FAIL ? 'fail' : share >= LEAKAGE_WARN ? 'warn' : 'pass';
  return {
    ...base,
    status,
    summary:
      count === 0
        ? `no validation example repeats a training one (exact, or ${c.nearMethod}), over ${plural(c.val.length, 'validation example')}`
        : `${plural(count, 'validation example')} of ${c.val.length} (${pct(share)}) also ${count === 1 ? 'sits' : 'sit'} in training: ${exact.length} identical, ${near.length} near-identical`,
    fix: status === 'pass' ? undefined : 'Remove these from validation (or from training), and split by source (patient, user, video, document) so copies cannot straddle the split; until then the validation score is optimistic.',
    evidence: { identical: exact.length, nearIdentical: near.length, validationSize: c.val.length, share },
    examples: [...exact, ...near].slice(0, MAX_EXAMPLE_NAMES).map((e) => `${t.names[e.val]} ≈ ${t.names[e.train]}`),
  };
}
