/**
 * The per-epoch pattern of a step-level curve, measured on the raw points by their position within the epoch.
 *
 * Data seen in the same order every epoch (sorted by class, never shuffled) makes the batch loss follow that order:
 * the same shape repeats every epoch. Folding at an integer period of the downsampled curve misses it whenever an
 * epoch is not a whole number of points (63 batches logged into bins of 4.7 drift by a third of a bin per epoch and
 * blur the pattern out after a few epochs), so this works on the logged steps themselves:
 * - the trend is removed with a centred moving average one epoch wide in steps (a descent within the epoch is trend,
 *   not pattern);
 * - `autocorrelation`: the correlation of each residual with the residual one epoch of steps later;
 * - `strength`: the share of the residual variance explained by the mean profile over the epoch's phase (0 = start of
 *   the epoch, 1 = its end) in PHASE_BINS bins, less what chance alone explains (bins/n).
 * Pure, O(n) but for one sort-free pass per quantity; typed arrays throughout (curves can have millions of points).
 */

/** Phase bins of the profile (fewer when an epoch has fewer points). */
export const PHASE_BINS = 16;
/** Points per epoch the measure works on: a longer log is read at a stride (every m-th point), which keeps the shape
 * and the noise of each point while bounding the cost on million-point logs. */
export const MAX_POINTS_PER_EPOCH = 64;
/** Logging gaps sampled for their median (a sort of every gap of a million-point log costs tens of ms). */
const GAP_SAMPLE = 2048;

export interface EpochPhasePattern {
  autocorrelation: number;
  strength: number;
  /** Logged points per epoch (median over whole epochs). */
  pointsPerEpoch: number;
  /** Whole epochs seen. */
  epochs: number;
}

/** Epoch index of each point: the epoch column itself when it holds whole numbers (Lightning's epoch index), else the
 * epoch a fractional progress value falls in (0.05 … 1.0 → 0, −0.95 … 0 → −1). NaN where unknown. */
export function epochIndex(epochs: ArrayLike<number>): Float64Array {
  const n = epochs.length;
  let whole = true;
  for (let i = 0; i < n && whole; i++) if (Number.isFinite(epochs[i]) && Math.abs(epochs[i] - Math.round(epochs[i])) > 1e-9) whole = false;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = epochs[i];
    // Not clamped at 0: a 0-based numbering puts the first epoch's steps at (−1, 0] (Keras' epoch_loss at step 0).
    out[i] = !Number.isFinite(e) ? NaN : whole ? Math.round(e) : Math.ceil(e - 1e-9) - 1;
  }
  return out;
}

/**
 * The pattern of `values` (already on the judging scale: log loss) at `steps` with epochs `epochs`. Null when there
 * are fewer than `minEpochs` whole epochs, fewer than `minPointsPerEpoch` points in one, or non-finite values.
 */
export function epochPhasePattern(steps: ArrayLike<number>, epochs: ArrayLike<number>, values: ArrayLike<number>, minEpochs = 3, minPointsPerEpoch = 4): EpochPhasePattern | null {
  const total = values.length;
  if (total === 0 || !Number.isFinite(epochs[0]) || !Number.isFinite(epochs[total - 1])) return null;
  const span = Math.abs(epochs[total - 1]! - epochs[0]!) + 1;
  const stride = Math.max(1, Math.floor(total / span / MAX_POINTS_PER_EPOCH));
  if (stride > 1) {
    const m = Math.ceil(total / stride);
    const st = new Float64Array(m);
    const ep = new Float64Array(m);
    const va = new Float64Array(m);
    for (let i = 0, j = 0; j < m; i += stride, j++) {
      st[j] = steps[i]!;
      ep[j] = epochs[i]!;
      va[j] = values[i]!;
    }
    return measureAll(st, ep, va, minEpochs, minPointsPerEpoch);
  }
  return measureAll(steps, epochs, values, minEpochs, minPointsPerEpoch);
}

function measureAll(steps: ArrayLike<number>, epochs: ArrayLike<number>, values: ArrayLike<number>, minEpochs: number, minPointsPerEpoch: number): EpochPhasePattern | null {
  const n = values.length;
  if (n < minEpochs * minPointsPerEpoch) return null;
  for (let i = 0; i < n; i++) if (!Number.isFinite(values[i]) || !Number.isFinite(steps[i]) || !Number.isFinite(epochs[i])) return null;
  for (let i = 1; i < n; i++) if (steps[i] < steps[i - 1]) return null;
  const idx = epochIndex(epochs);
  // Epoch boundaries in steps: each epoch's first and last step, and its length (last − first + one logging gap).
  const starts: number[] = [];
  const ends: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i === 0 || idx[i] !== idx[i - 1]) {
      starts.push(i);
      counts.push(0);
    }
    ends[starts.length - 1] = i;
    counts[counts.length - 1]++;
  }
  const every = Math.max(1, Math.floor((n - 1) / GAP_SAMPLE));
  const gaps = new Float64Array(Math.floor(Math.max(0, n - 1) / every));
  for (let k = 0; k < gaps.length; k++) gaps[k] = steps[k * every + 1]! - steps[k * every]!;
  const gap = medianOf(gaps);
  if (!(gap > 0)) return null;
  // Whole epochs: every one but possibly a partial last (or first) one.
  let most = 0;
  for (const c of counts) if (c > most) most = c;
  const full = counts.map((c, k) => ({ c, k })).filter(({ c }) => c >= 0.8 * most);
  if (full.length < minEpochs) return null;
  const ppe = medianOf(Float64Array.from(full.map(({ c }) => c)));
  if (ppe < minPointsPerEpoch) return null;
  const spans = Float64Array.from(full.map(({ k }) => steps[ends[k]!]! - steps[starts[k]!]! + gap));
  const width = medianOf(spans);
  // Centred moving average one epoch wide (in steps), by two pointers over prefix sums.
  const pre = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) pre[i + 1] = pre[i] + values[i];
  const res = new Float64Array(n).fill(NaN);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const a = steps[i] - width / 2;
    const b = steps[i] + width / 2;
    while (lo < n && steps[lo] < a) lo++;
    while (hi < n && steps[hi] < b) hi++;
    // Only where the window is whole: near the ends it would be lopsided and read the trend as pattern.
    if (steps[i] - width / 2 < steps[0] || steps[i] + width / 2 > steps[n - 1] + gap) continue;
    res[i] = values[i] - (pre[hi] - pre[lo]) / (hi - lo);
  }
  let m = 0;
  let k = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(res[i])) { m += res[i]; k++; }
  if (k < 2 * ppe) return null;
  m /= k;
  let total = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(res[i])) total += (res[i] - m) ** 2;
  if (!(total > 0)) return null;
  // Autocorrelation one epoch later: the point nearest step + width, within half a logging gap.
  let num = 0;
  let j = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(res[i])) continue;
    const target = steps[i] + width;
    while (j < n - 1 && steps[j + 1] <= target) j++;
    let best = j;
    if (j + 1 < n && Math.abs(steps[j + 1] - target) < Math.abs(steps[j] - target)) best = j + 1;
    if (Math.abs(steps[best] - target) > gap / 2 + 1e-9 || !Number.isFinite(res[best])) continue;
    num += (res[i] - m) * (res[best] - m);
    pairs++;
  }
  const autocorrelation = pairs >= ppe ? (num / pairs) / (total / k) : NaN;
  // Phase profile: position of each point within its epoch's span.
  const bins = Math.max(2, Math.min(PHASE_BINS, Math.round(ppe)));
  const sums = new Float64Array(bins);
  const cnt = new Float64Array(bins);
  let e = 0;
  for (let i = 0; i < n; i++) {
    while (e + 1 < starts.length && starts[e + 1]! <= i) e++;
    if (!Number.isFinite(res[i])) continue;
    const phase = (steps[i] - steps[starts[e]!]!) / width;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(phase * bins)));
    sums[b] += res[i] - m;
    cnt[b]++;
  }
  let explained = 0;
  for (let b = 0; b < bins; b++) if (cnt[b] > 0) explained += (sums[b] * sums[b]) / cnt[b];
  const chance = bins / k;
  const strength = Math.max(0, (explained / total - chance) / (1 - chance));
  return { autocorrelation, strength, pointsPerEpoch: Math.round(ppe), epochs: full.length };
}

function medianOf(a: Float64Array): number {
  if (a.length === 0) return NaN;
  const s = Float64Array.from(a).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}
