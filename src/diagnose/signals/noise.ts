/** Noise level of a curve: how much it moves point to point beyond its local trend. */
import { median } from './stats.ts';

/**
 * Robust noise standard deviation from first differences: 1.4826 · MAD(Δ) / √2. Differencing removes a slowly
 * varying trend; the MAD ignores isolated spikes and the few large steps of a fast start. For white noise on a
 * smooth trend this estimates the noise σ. NaN when fewer than 3 finite points.
 */
export function noiseLevel(values: ArrayLike<number>): number {
  const d: number[] = [];
  let prev = NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (Number.isFinite(prev)) d.push(v - prev);
    prev = v;
  }
  if (d.length < 2) return NaN;
  const m = median(d);
  const dev = d.map((x) => Math.abs(x - m));
  return (1.4826 * median(dev)) / Math.SQRT2;
}

/**
 * Robust point-noise σ from second differences: median(|y[i−1] − 2y[i] + y[i+1]|) / 0.6745 / √6. A straight trend
 * cancels and a bend mostly does, so two curves of different slopes are compared on their noise alone. NaN when fewer
 * than 5 points (3 differences).
 */
export function secondDifferenceNoise(y: ArrayLike<number>): number {
  const d: number[] = [];
  for (let i = 1; i + 1 < y.length; i++) d.push(Math.abs(y[i - 1]! - 2 * y[i]! + y[i + 1]!));
  if (d.length < 3) return NaN;
  return median(d) / 0.6745 / Math.sqrt(6);
}
