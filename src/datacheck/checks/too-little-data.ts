/** Too little data per class: a class with a handful of examples cannot be learnt, only memorised. */
import type { DataTable } from '../table.ts';
import type { CheckContext } from '../context.ts';
import { plural, type DataCheckItem } from '../item.ts';

/** Training examples of the smallest class under which the item fails, and warns. */
export const MIN_PER_CLASS_FAIL = 10;
export const MIN_PER_CLASS_WARN = 50;

export function tooLittleDataCheck(t: DataTable, c: CheckContext): DataCheckItem {
  const counts = new Array<number>(t.classNames.length).fill(0);
  for (const i of c.train) counts[t.y[i]!]!++;
  const small = counts.map((n, k) => ({ name: t.classNames[k]!, n })).filter((e) => e.n < MIN_PER_CLASS_WARN).sort((a, b) => a.n - b.n);
  const least = Math.min(...counts);
  const status = least < MIN_PER_CLASS_FAIL ? 'fail' : small.length ? 'warn' : 'pass';
  return {
    id: 'too_little_data',
    title: 'Examples per class',
    status,
    summary:
      status === 'pass'
        ? `every class has at least ${least} training examples (${plural(c.train.length, 'example')} in all)`
        : `${plural(small.length, 'class', 'classes')} under ${MIN_PER_CLASS_WARN} training examples: ${small.slice(0, 6).map((e) => `${e.name} (${e.n})`).join(', ')}${small.length > 6 ? ' …' : ''}`,
    fix: status === 'pass' ? undefined : 'Collect or augment examples of these classes, merge them into a broader class, or start from a pretrained model and fine-tune.',
    evidence: { smallestClassCount: least, classesUnder: small.map((e) => e.name), warnUnder: MIN_PER_CLASS_WARN, failUnder: MIN_PER_CLASS_FAIL },
  };
}
