/** Robust linear trend (Theil–Sen): the median of pairwise slopes, insensitive to outliers and spikes. */
import { median } from './stats.ts';

export interface Trend {
  slope: number;
  intercept: number;
}

/** Above this many points the pairwise slopes are sampled (each point against a fixed set of partners). */
const FULL_PAIRS_MAX = 120;

/** Theil–Sen fit of y on x over the finite pairs. NaN slope when fewer than 2 points. O(n) for large n. */
export function theilSen(x: ArrayLike<number>, y: ArrayLike<number>): Trend {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      xs.push(x[i]);
      ys.push(y[i]);
    }
  }
  const n = xs.length;
  if (n < 2) return { slope: NaN, intercept: n ? ys[0] : NaN };
  const slopes: number[] = [];
  if (n <= FULL_PAIRS_MAX) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (xs[j] !== xs[i]) slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
  } else {
    // Deterministic sample: each point against partners at a spread of fixed offsets.
    const offsets = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89].map((k) => Math.max(1, Math.round((k / 89) * (n / 2))));
    for (let i = 0; i < n; i++) {
      for (const o of offsets) {
        const j = i + o;
        if (j < n && xs[j] !== xs[i]) slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
      }
    }
  }
  if (slopes.length === 0) return { slope: 0, intercept: median(ys) };
  const slope = median(slopes);
  const intercept = median(ys.map((v, i) => v - slope * xs[i]));
  return { slope, intercept };
}
