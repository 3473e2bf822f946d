/**
 * Inputs not normalised: pixel values in 0–255, or columns on wildly different scales / far from zero. The model
 * trains either way, but slowly and fragile: the first layer's gradients are dominated by the largest column.
 */
import type { DataTable } from '../table.ts';
import type { CheckContext } from '../context.ts';
import type { DataCheckItem } from '../item.ts';

/** Largest |value| an input may reach before it counts as unscaled (images, and rows as a whole). */
export const MAX_ABS_INPUT = 10;
/** Ratio of the largest to the smallest column standard deviation (rows) at which the item warns. */
export const SCALE_RATIO_WARN = 100;
/** |mean| ÷ std of a column beyond which its offset dwarfs its spread (rows). */
export const OFFSET_RATIO_WARN = 10;

export function normalisationCheck(t: DataTable, c: CheckContext): DataCheckItem {
  const f = t.featureSize;
  const base = { id: 'unnormalized_inputs', title: 'Input scale' };
  const n = c.train.length;
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  const sum = new Float64Array(f);
  const sq = new Float64Array(f);
  for (const i of c.train) {
    for (let j = 0; j < f; j++) {
      const v = t.x[i * f + j]!;
      if (!Number.isFinite(v)) {
        nonFinite++;
        continue;
      }
      if (v < min) min = v;
      if (v > max) max = v;
      sum[j]! += v;
      sq[j]! += v * v;
    }
  }
  const range = `${fmt(min)} to ${fmt(max)}`;
  if (nonFinite > 0) {
    return { ...base, status: 'fail', summary: `${nonFinite} input values are NaN or infinite (the rest range ${range})`, fix: 'Fill or drop the missing values before training: one NaN input makes the loss NaN.', evidence: { nonFinite, min, max } };
  }
  if (t.kind === 'images') {
    const status = max > MAX_ABS_INPUT ? 'fail' : 'pass';
    return {
      ...base,
      status,
      summary: status === 'pass' ? `pixel values range ${range}` : `pixel values range ${range}: raw bytes, not scaled`,
      fix: status === 'pass' ? undefined : `Divide by ${max > 255 ? fmt(max) : 255} (or standardise per channel) before training.`,
      evidence: { min, max },
    };
  }
  const cols = Array.from({ length: f }, (_, j) => {
    const mean = n ? sum[j]! / n : 0;
    const std = n ? Math.sqrt(Math.max(0, sq[j]! / n - mean * mean)) : 0;
    return { name: t.featureNames[j] ?? `x${j}`, mean, std };
  });
  const varying = cols.filter((col) => col.std > 0);
  const widest = varying.reduce((a, b) => (b.std > (a?.std ?? -1) ? b : a), varying[0]);
  const narrowest = varying.reduce((a, b) => (b.std < (a?.std ?? Infinity) ? b : a), varying[0]);
  const ratio = widest && narrowest ? widest.std / narrowest.std : 1;
  const offset = cols.filter((col) => col.std > 0 && Math.abs(col.mean) / col.std > OFFSET_RATIO_WARN);
  const big = Math.max(Math.abs(min), Math.abs(max)) > MAX_ABS_INPUT;
  const problems: string[] = [];
  if (ratio >= SCALE_RATIO_WARN && widest && narrowest) problems.push(`column scales differ ${fmt(ratio)}× (std of ${widest.name} ${fmt(widest.std)} vs ${narrowest.name} ${fmt(narrowest.std)})`);
  if (offset.length) problems.push(`${offset.slice(0, 3).map((col) => `${col.name} sits at ${fmt(col.mean)} ± ${fmt(col.std)}`).join(', ')}${offset.length > 3 ? ` and ${offset.length - 3} more` : ''}`);
  if (big && !problems.length) problems.push(`values reach ${fmt(Math.max(Math.abs(min), Math.abs(max)))}`);
  const status = problems.length ? 'warn' : 'pass';
  return {
    ...base,
    status,
    summary: status === 'pass' ? `inputs range ${range}; column spreads within ${fmt(ratio)}× of each other` : `inputs not normalised: ${problems.join('; ')}`,
    fix: status === 'pass' ? undefined : 'Standardise each column with the training split\'s mean and std (StandardScaler; a Normalization layer), and apply the same to validation and serving.',
    evidence: { min, max, stdRatio: ratio, offsetColumns: offset.map((col) => col.name) },
  };
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}
