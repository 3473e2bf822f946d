/** Labels as files give them (class indices, any integers, strings, one-hot rows) → class indices and names. Pure. */
import { IngestError } from '../../ingest/ingest-error.ts';

export interface Labels {
  y: Int32Array;
  classNames: string[];
  notes: string[];
}

/** Most distinct labels accepted: more is a regression target or an id column, not classes. */
export const MAX_CLASSES = 1000;

const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** String labels → indices, classes sorted naturally ("2" before "10"). */
export function labelsFromStrings(values: string[], file: string, what: string): Labels {
  const names = [...new Set(values)].sort(natural);
  if (names.length > MAX_CLASSES) throw new IngestError({ file, reason: `${what} has ${names.length} distinct values: expected class labels (at most ${MAX_CLASSES} classes)` });
  const index = new Map(names.map((n, i) => [n, i]));
  return { y: Int32Array.from(values, (v) => index.get(v)!), classNames: names, notes: [] };
}

/**
 * Numeric labels → indices. Whole numbers 0..K−1 keep their index (class "3" is index 3, so suggested labels read as
 * the file's own); other whole numbers are mapped in sorted order; fractions are refused (a regression target).
 */
export function labelsFromNumbers(values: ArrayLike<number>, file: string, what: string): Labels {
  const distinct = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || !Number.isInteger(v)) {
      throw new IngestError({ file, reason: `${what}[${i}] is ${v}: expected whole-number class labels (a fraction is a regression target, which the data checklist does not judge)` });
    }
    distinct.add(v);
    if (distinct.size > MAX_CLASSES) throw new IngestError({ file, reason: `${what} has more than ${MAX_CLASSES} distinct values: expected class labels` });
  }
  const sorted = [...distinct].sort((a, b) => a - b);
  const dense = sorted.length > 0 && sorted[0] === 0 && sorted[sorted.length - 1] === sorted.length - 1;
  if (dense) return { y: Int32Array.from(values as ArrayLike<number>, (v) => v), classNames: sorted.map(String), notes: [] };
  const index = new Map(sorted.map((v, i) => [v, i]));
  return { y: Int32Array.from(values as ArrayLike<number>, (v) => index.get(v)!), classNames: sorted.map(String), notes: [] };
}

/** One-hot (or probability) rows n × K → the argmax of each row. */
export function labelsFromOneHot(values: ArrayLike<number>, n: number, k: number, file: string, what: string): Labels {
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const v = values[i * k + j]!;
      sum += v;
      if (v > values[i * k + best]!) best = j;
    }
    if (!(Math.abs(sum - 1) < 1e-3)) throw new IngestError({ file, reason: `${what} row ${i} sums to ${sum}: expected one-hot rows (or class indices)` });
    y[i] = best;
  }
  return { y, classNames: Array.from({ length: k }, (_, j) => String(j)), notes: [`${what} is one-hot (${k} columns): read as class indices`] };
}
