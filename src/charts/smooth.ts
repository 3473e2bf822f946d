/** Smoothing for display: what makes a noisy step-level curve readable. Not a diagnostic signal. */

/**
 * Exponential moving average with bias correction (as TensorBoard does, so the start is not dragged toward 0).
 * `span` is in points: alpha = 2 / (span + 1). Non-finite inputs stay non-finite in the output (the line breaks
 * there) and do not enter the average.
 */
export function emaSmooth(values: ArrayLike<number>, span: number): Float64Array {
  const alpha = 2 / (Math.max(span, 1) + 1);
  const out = new Float64Array(values.length);
  let acc = 0;
  let weight = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    acc = (1 - alpha) * acc + alpha * v;
    weight = (1 - alpha) * weight + alpha;
    out[i] = acc / weight;
  }
  return out;
}

/**
 * The EMA span for a series of n points: 1 % of a long run (smooth at chart width), √n points of a short one
 * (200 noisy steps need more than 2 points of memory to show a trend).
 */
export function displaySpan(n: number): number {
  return Math.min(Math.max(Math.round(n / 100), Math.round(Math.sqrt(n)), 4), 20_000);
}

/**
 * Whether a series is noisy enough to be drawn raw-faint plus smoothed-bold: its total variation is several times
 * its range (a smooth curve travels its range about once; a noisy one goes up and down all the time).
 */
export function isNoisy(values: ArrayLike<number>): boolean {
  if (values.length < 30) return false;
  let min = Infinity;
  let max = -Infinity;
  let travel = 0;
  let prev = NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    if (Number.isFinite(prev)) travel += Math.abs(v - prev);
    prev = v;
  }
  const range = max - min;
  return range > 0 && travel / range > 4;
}

/**
 * The EMA of `values` kept only at about `maxPoints` evenly spaced indices, plus the edges of non-finite runs so the
 * line breaks where the data does. Same numbers as `emaSmooth` at those indices, without a full-length output
 * array: an EMA is smooth at chart width by construction, so even spacing loses nothing LTTB would keep.
 */
export function emaSampled(
  values: ArrayLike<number>,
  span: number,
  maxPoints: number,
  /** Average log(v) (a geometric EMA), for lines drawn on a log axis; values ≤ floor count as the floor. */
  logFloor?: number,
): { indices: Uint32Array; values: Float64Array } {
  const inLog = logFloor !== undefined && logFloor > 0;
  const floor = inLog ? logFloor : 0;
  const n = values.length;
  const stride = Math.max(1, Math.ceil(n / Math.max(maxPoints, 2)));
  const alpha = 2 / (Math.max(span, 1) + 1);
  // A long run is folded in block by block (the block's mean, with the weight of its length): a block of 1/16 of the
  // span moves the EMA by far less than a pixel, and it spares a logarithm per point on a log axis. Blocks touching
  // non-finite values, and the first one, go point by point so gaps and the start stay exact.
  const block = Math.max(1, Math.min(stride, Math.floor(span / 16)));
  const idx: number[] = [];
  const out: number[] = [];
  let acc = 0;
  let weight = 0;
  let nextSample = 0;
  let prevFinite = true;
  for (let b0 = 0; b0 < n; b0 += block) {
    const b1 = Math.min(n, b0 + block);
    let sum = 0;
    let clean = true;
    for (let i = b0; i < b1; i++) {
      const v = values[i]!;
      if (v - v !== 0) {
        clean = false;
        break;
      }
      sum += v;
    }
    const gapNext = b1 < n && !Number.isFinite(values[b1]);
    if (block > 1 && b0 > 0 && clean && !gapNext && prevFinite) {
      const a = 1 - (1 - alpha) ** (b1 - b0);
      const mean = sum / (b1 - b0);
      acc = (1 - a) * acc + a * (inLog ? Math.log(mean > floor ? mean : floor) : mean);
      weight = (1 - a) * weight + a;
      if (b1 - 1 >= nextSample || b1 === n) {
        idx.push(b1 - 1);
        out.push(inLog ? Math.exp(acc / weight) : acc / weight);
        nextSample = b1 - 1 + stride;
      }
      continue;
    }
    for (let i = b0; i < b1; i++) {
      const v = values[i]!;
      const finite = Number.isFinite(v);
      if (finite) {
        acc = (1 - alpha) * acc + alpha * (inLog ? Math.log(v > floor ? v : floor) : v);
        weight = (1 - alpha) * weight + alpha;
      }
      const nextFinite = i + 1 < n ? Number.isFinite(values[i + 1]) : finite;
      const edge = finite !== prevFinite || finite !== nextFinite;
      if (i >= nextSample || i === n - 1 || edge) {
        idx.push(i);
        out.push(finite ? (inLog ? Math.exp(acc / weight) : acc / weight) : v);
        if (i >= nextSample) nextSample = i + stride;
      }
      prevFinite = finite;
    }
  }
  return { indices: Uint32Array.from(idx), values: Float64Array.from(out) };
}
