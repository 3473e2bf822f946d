/** Change points: where a curve's behaviour changes (a turn-up, a level shift). */

export interface TwoSegmentFit {
  /** Index where the second segment starts. */
  index: number;
  slopeBefore: number;
  slopeAfter: number;
  /** Sum of squared residuals of the two-segment fit relative to a single line (0…1; lower = clearer break). */
  relativeSse: number;
}

interface Sums {
  n: number;
  sx: number;
  sy: number;
  sxx: number;
  sxy: number;
  syy: number;
}

function lineSse(s: Sums): { slope: number; sse: number } {
  if (s.n < 2) return { slope: 0, sse: 0 };
  const vx = s.sxx - (s.sx * s.sx) / s.n;
  const cxy = s.sxy - (s.sx * s.sy) / s.n;
  const vy = s.syy - (s.sy * s.sy) / s.n;
  if (vx <= 0) return { slope: 0, sse: Math.max(0, vy) };
  const slope = cxy / vx;
  return { slope, sse: Math.max(0, vy - slope * cxy) };
}

/**
 * Best split of (x, y) into two independent least-squares lines, each with at least `minSegment` points.
 * O(n) with prefix sums. Null when the curve is too short.
 */
export function twoSegmentFit(x: ArrayLike<number>, y: ArrayLike<number>, minSegment = 3): TwoSegmentFit | null {
  const n = y.length;
  if (n < 2 * minSegment) return null;
  const pre: Sums[] = [{ n: 0, sx: 0, sy: 0, sxx: 0, sxy: 0, syy: 0 }];
  for (let i = 0; i < n; i++) {
    const p = pre[i];
    pre.push({ n: p.n + 1, sx: p.sx + x[i], sy: p.sy + y[i], sxx: p.sxx + x[i] * x[i], sxy: p.sxy + x[i] * y[i], syy: p.syy + y[i] * y[i] });
  }
  const total = pre[n];
  const diff = (a: Sums, b: Sums): Sums => ({ n: a.n - b.n, sx: a.sx - b.sx, sy: a.sy - b.sy, sxx: a.sxx - b.sxx, sxy: a.sxy - b.sxy, syy: a.syy - b.syy });
  const whole = lineSse(total).sse;
  let best: TwoSegmentFit | null = null;
  let bestSse = Infinity;
  for (let k = minSegment; k <= n - minSegment; k++) {
    const a = lineSse(pre[k]);
    const b = lineSse(diff(total, pre[k]));
    if (a.sse + b.sse < bestSse) {
      bestSse = a.sse + b.sse;
      best = { index: k, slopeBefore: a.slope, slopeAfter: b.slope, relativeSse: whole > 0 ? (a.sse + b.sse) / whole : 1 };
    }
  }
  return best;
}

/**
 * First index `i ≥ from` from which `values` stays above `level` for at least `minRun` consecutive points.
 * Used for "sustained, not a single bump". -1 when none.
 */
export function sustainedAbove(values: ArrayLike<number>, level: number, minRun: number, from = 0): number {
  let start = -1;
  for (let i = from; i < values.length; i++) {
    if (values[i] > level) {
      if (start < 0) start = i;
      if (i - start + 1 >= minRun) return start;
    } else start = -1;
  }
  return -1;
}
