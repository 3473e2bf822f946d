/** Small robust statistics on plain number arrays. Pure; NaN-free inputs are the caller's job. */

export type Numbers = ArrayLike<number>;

/** Median of the finite values (NaN when none). Copies, so the input is left alone. */
export function median(values: Numbers): number {
  return quantile(values, 0.5);
}

/** The q-quantile (0…1, linear interpolation) of the finite values, NaN when none. */
export function quantile(values: Numbers, q: number): number {
  // A typed-array copy sorts numerically without a comparator: several times faster than Array#sort here.
  const a = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) a[n++] = values[i];
  if (n === 0) return NaN;
  const sorted = a.subarray(0, n).sort();
  const pos = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median absolute deviation scaled to a Gaussian standard deviation (1.4826 × MAD). */
export function robustSd(values: Numbers): number {
  const m = median(values);
  const dev: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) dev.push(Math.abs(values[i] - m));
  return 1.4826 * median(dev);
}

export function argMin(values: Numbers, from = 0, to = values.length): number {
  let best = -1;
  for (let i = from; i < to; i++) if (Number.isFinite(values[i]) && (best < 0 || values[i] < values[best])) best = i;
  return best;
}

/** Rounds to `digits` significant digits for evidence: the JSON should read like a person wrote it. */
export function sig(x: number, digits = 4): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}
