/** Periodicity: a repeating pattern of a known period, e.g. the per-epoch sawtooth of unshuffled data. */

/**
 * Autocorrelation of `values` at `lag` after removing a centred moving average of width `lag` (so the slow trend
 * does not count as periodicity). In [-1, 1]; NaN when the series is shorter than 3 lags.
 */
export function autocorrelationAtLag(values: ArrayLike<number>, lag: number): number {
  const n = values.length;
  if (lag < 2 || n < 3 * lag) return NaN;
  const detrended = detrend(values, lag);
  let mean = 0;
  let count = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(detrended[i])) { mean += detrended[i]; count++; }
  if (count < 3 * lag) return NaN;
  mean /= count;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const a = detrended[i];
    if (!Number.isFinite(a)) continue;
    den += (a - mean) * (a - mean);
    if (i + lag < n && Number.isFinite(detrended[i + lag])) num += (a - mean) * (detrended[i + lag] - mean);
  }
  return den > 0 ? num / den : NaN;
}

/** Values minus their centred moving average of width `width` (NaN near the edges). O(n). */
export function detrend(values: ArrayLike<number>, width: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(NaN);
  const half = Math.floor(width / 2);
  const pre = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) pre[i + 1] = pre[i] + (Number.isFinite(values[i]) ? values[i] : 0);
  for (let i = half; i < n - half; i++) {
    const lo = i - half;
    const hi = i + half + (width % 2 === 1 ? 1 : 0);
    if (hi > n) break;
    out[i] = values[i] - (pre[hi] - pre[lo]) / (hi - lo);
  }
  return out;
}

/**
 * Mean profile over one period (phase-folded) of the detrended values, and its strength: the share of the
 * detrended variance the profile explains (0…1). A sawtooth from unshuffled data explains a lot; noise ≈ 1/period… small.
 */
export function foldedProfileStrength(values: ArrayLike<number>, period: number): { strength: number; profile: Float64Array } {
  const detrended = detrend(values, period);
  const sums = new Float64Array(period);
  const counts = new Float64Array(period);
  let total = 0;
  let m = 0;
  let n = 0;
  for (let i = 0; i < detrended.length; i++) if (Number.isFinite(detrended[i])) { m += detrended[i]; n++; }
  if (n < 3 * period) return { strength: NaN, profile: sums };
  m /= n;
  for (let i = 0; i < detrended.length; i++) {
    const v = detrended[i];
    if (!Number.isFinite(v)) continue;
    sums[i % period] += v - m;
    counts[i % period]++;
    total += (v - m) * (v - m);
  }
  let explained = 0;
  for (let p = 0; p < period; p++) {
    if (counts[p] === 0) continue;
    sums[p] /= counts[p];
    explained += counts[p] * sums[p] * sums[p];
  }
  // Remove the share pure noise would explain by chance (about period/n of the variance).
  const chance = period / n;
  const raw = total > 0 ? explained / total : 0;
  return { strength: Math.max(0, (raw - chance) / (1 - chance)), profile: sums };
}
