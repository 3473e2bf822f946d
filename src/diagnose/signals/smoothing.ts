/**
 * Smoothing for judging noisy curves. Step-level losses are smoothed before any rule looks at them;
 * epoch-level curves are left almost raw (an epoch mean is already an average over many batches).
 */
import { median } from './stats.ts';

/** Exponential moving average with bias correction (as TensorBoard's smoothing, without its time weighting). */
export function ema(values: ArrayLike<number>, alpha: number): Float64Array {
  const out = new Float64Array(values.length);
  let acc = 0;
  let weight = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      acc = (1 - alpha) * acc + alpha * v;
      weight = (1 - alpha) * weight + alpha;
    }
    out[i] = weight > 0 ? acc / weight : NaN;
  }
  return out;
}

/**
 * Centred running median of odd width `window` (shrinking at the edges). Robust to isolated spikes, which is why
 * it, not a mean, is the smoother rules judge levels with. O(n·w): callers pass downsampled curves.
 */
export function medianFilter(values: ArrayLike<number>, window: number): Float64Array {
  const half = Math.max(0, Math.floor(window / 2));
  const out = new Float64Array(values.length);
  const buf: number[] = [];
  for (let i = 0; i < values.length; i++) {
    buf.length = 0;
    const lo = Math.max(0, i - half);
    const hi = Math.min(values.length - 1, i + half);
    for (let j = lo; j <= hi; j++) if (Number.isFinite(values[j])) buf.push(values[j]);
    out[i] = buf.length ? median(buf) : NaN;
  }
  return out;
}

/** An odd median-filter width proportional to the curve length: 1 (no smoothing) up to `max`. */
export function smoothingWindow(n: number, fraction: number, max = 31): number {
  const w = Math.max(1, Math.min(max, Math.round(n * fraction)));
  return w % 2 === 1 ? w : w + 1;
}
