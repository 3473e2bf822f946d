/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013), over the finite stretches of a series.
 *
 * A chart is about 700 px wide, so drawing more than ~1,500 points per series only costs time; LTTB picks the
 * points that keep the visual shape, spikes included, which plain striding or averaging would lose.
 *
 * Non-finite values (NaN, ±Infinity) are symptoms, not noise: they split the series into finite stretches that are
 * downsampled separately, and the first index of every non-finite gap is kept in the output so the drawn line
 * breaks there instead of bridging the gap. Where the non-finite values are is reported by `nonFiniteRuns`.
 */

/**
 * Indices (ascending) of the points to keep so that about `threshold` points remain.
 * `x` must be non-decreasing; `x` and `y` have the same length n. Returns every index when n ≤ threshold.
 */
export function lttbIndices(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  threshold: number,
  /** The non-finite runs of y, when the caller has them already (saves a pass over a long series). */
  gaps: Array<[number, number]> = nonFiniteRuns(y),
): Uint32Array {
  const n = y.length;
  if (x.length !== n) throw new RangeError(`lttb: x has ${x.length} values, y has ${n}`);
  if (n <= Math.max(threshold, 2)) return identity(n);

  const stretches = complement(gaps, n);
  let finiteCount = 0;
  for (const [a, b] of stretches) finiteCount += b - a;
  // Every stretch keeps at least its two ends and every gap one index; the rest is shared in proportion to length.
  const budget = Math.max(threshold - gaps.length - 1, stretches.length * 2);

  const out: number[] = [];
  let cursor = 0;
  for (const [a, b] of stretches) {
    if (a > cursor) out.push(cursor); // first index of the non-finite gap before this stretch
    const len = b - a;
    const share = Math.max(2, Math.round((budget * len) / Math.max(finiteCount, 1)));
    lttbRange(x, y, a, b, share, out);
    cursor = b;
  }
  // The trailing gap keeps its first index (the line breaks) and its last (the x range reaches the run's end).
  if (cursor < n) out.push(cursor);
  if (cursor < n - 1) out.push(n - 1);
  return Uint32Array.from(out);
}

/** Half-open [start, end) index ranges of maximal runs of finite values. */
export function finiteStretches(y: ArrayLike<number>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i < y.length; i++) {
    const finite = Number.isFinite(y[i]);
    if (finite && start < 0) start = i;
    else if (!finite && start >= 0) {
      out.push([start, i]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, y.length]);
  return out;
}

/** The finite stretches between the non-finite runs of a series of length n. */
function complement(gaps: Array<[number, number]>, n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let cursor = 0;
  for (const [a, b] of gaps) {
    if (a > cursor) out.push([cursor, a]);
    cursor = b;
  }
  if (cursor < n) out.push([cursor, n]);
  return out;
}

/** Half-open [start, end) index ranges of maximal runs of non-finite values (NaN, ±Infinity). */
export function nonFiniteRuns(y: ArrayLike<number>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i < y.length; i++) {
    const finite = Number.isFinite(y[i]);
    if (!finite && start < 0) start = i;
    else if (finite && start >= 0) {
      out.push([start, i]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, y.length]);
  return out;
}

/** Classic LTTB over the finite range [a, b), appending `threshold` (or all) indices to `out`. */
function lttbRange(x: ArrayLike<number>, y: ArrayLike<number>, a: number, b: number, threshold: number, out: number[]): void {
  const len = b - a;
  if (len <= threshold || threshold < 3) {
    if (len <= threshold) {
      for (let i = a; i < b; i++) out.push(i);
    } else {
      out.push(a, b - 1);
    }
    return;
  }
  const every = (len - 2) / (threshold - 2);
  let chosen = a;
  out.push(a);
  for (let bucket = 0; bucket < threshold - 2; bucket++) {
    // Average of the next bucket: the third corner of the triangle.
    const nextStart = a + 1 + Math.floor((bucket + 1) * every);
    const nextEnd = Math.min(a + 1 + Math.floor((bucket + 2) * every), b);
    let avgX = 0;
    let avgY = 0;
    if (nextStart < nextEnd) {
      for (let j = nextStart; j < nextEnd; j++) {
        avgX += x[j]!;
        avgY += y[j]!;
      }
      const m = nextEnd - nextStart;
      avgX /= m;
      avgY /= m;
    } else {
      avgX = x[b - 1]!;
      avgY = y[b - 1]!;
    }
    const start = a + 1 + Math.floor(bucket * every);
    const end = Math.min(a + 1 + Math.floor((bucket + 1) * every), b - 1);
    const ax = x[chosen]!;
    const ay = y[chosen]!;
    let maxArea = -1;
    let pick = start;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * (y[j]! - ay) - (ax - x[j]!) * (avgY - ay));
      if (area > maxArea) {
        maxArea = area;
        pick = j;
      }
    }
    out.push(pick);
    chosen = pick;
  }
  out.push(b - 1);
}

function identity(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
