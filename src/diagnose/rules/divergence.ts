/**
 * divergence: the training loss rose after its minimum and stayed up until the end. A validation loss that starts
 * huge and falls is not divergence (only the training loss is judged, and only after its own minimum).
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { orderingExplainsLoss } from './unshuffled-data.ts';
import type { Curve } from '../signals/view.ts';
import { fmt, levels, smoothAt, whenAt } from './shared.ts';
import { median } from '../signals/stats.ts';

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - minShareAfterMin: The minimum must leave at least this share of the run after it for "stayed up" to mean anything.
 * - logRise: End level over the minimum on the log scale: ln 2 = the loss doubled.
 * - riseOfProgress: …or, on any scale, this share of the progress the run had made down to its minimum (on the log scale also at least ×1.5).
 * - noiseSigmas: …and always this many noise units of the smoothed curve.
 * - sustainedShare: Share of the points after the rise starts that must stay above half the rise ("stays up").
 */
export const FIT = { minShareAfterMin: 0.15, logRise: 0.693, riseOfProgress: 0.3, minLogRise: 0.478, noiseSigmas: 6, sustainedShare: 0.35, falseAlarms: 0 };

export interface DivergenceFinding {
  minIndex: number;
  rise: number;
  riseStart: number;
}

/** The divergence analysis, shared with lr_too_high. Null when the curve did not diverge. */
export function findDivergence(c: Curve): DivergenceFinding | null {
  const n = c.ts.length;
  if (n < 6) return null;
  const lv = levels(c);
  const m = lv.argMin;
  if (n - 1 - m < Math.max(3, Math.ceil(n * FIT.minShareAfterMin))) return null;
  const k = Math.max(3, Math.floor(n * 0.1));
  const end = median(Array.from(c.ts.subarray(n - k)));
  const rise = end - lv.min;
  const noise = Number.isFinite(c.smoothNoise) ? c.smoothNoise : 0;
  // How big the climb is, the end's level is compared with the lowest level the run held measured alike (a median
  // of k points), not with its single lowest point: on a noisy batch loss that is one lucky batch, far below any
  // level the run held, and ordinary batch-to-batch scatter at the end read as the loss doubling.
  const bottom = lowestMedian(c.ts, k);
  const held = end - bottom;
  const progress = Math.max(0, lv.head - bottom);
  const big = (c.logScale && held >= FIT.logRise) || (progress > 0 && held >= FIT.riseOfProgress * progress && (!c.logScale || held >= FIT.minLogRise));
  if (!big || rise < FIT.noiseSigmas * noise) return null;
  const half = lv.min + rise / 2;
  let riseStart = -1;
  for (let i = m + 1; i < n; i++) if (c.ts[i] > half) { riseStart = i; break; }
  if (riseStart < 0) return null;
  let above = 0;
  for (let i = riseStart; i < n; i++) if (c.ts[i] > half) above++;
  if (above / (n - riseStart) < FIT.sustainedShare) return null;
  return { minIndex: m, rise, riseStart };
}

/** The lowest median of k consecutive points. */
export function lowestMedian(ts: Float64Array, k: number): number {
  if (ts.length < k) return NaN;
  // A sorted window slid along the curve: one insertion and one removal per step instead of a fresh sort.
  const w = Float64Array.from(ts.subarray(0, k)).sort();
  const mid = () => (k % 2 ? w[k >> 1]! : (w[(k >> 1) - 1]! + w[k >> 1]!) / 2);
  let low = mid();
  for (let i = k; i < ts.length; i++) {
    const out = ts[i - k]!;
    const inn = ts[i]!;
    let j = 0;
    while (j < k - 1 && w[j] !== out) j++;
    // Remove `out` at j, insert `inn` keeping the order.
    if (inn >= out) {
      while (j < k - 1 && w[j + 1]! < inn) { w[j] = w[j + 1]!; j++; }
    } else {
      while (j > 0 && w[j - 1]! > inn) { w[j] = w[j - 1]!; j--; }
    }
    w[j] = inn;
    low = Math.min(low, mid());
  }
  return low;
}

export const divergenceRule: Rule = {
  id: 'divergence',
  area: 'convergence',
  check({ view, context }) {
    const c = view.trainLoss;
    if (!c || c.ts.length === 0) return unknownItem(this, 'No training loss to judge divergence', 'Log the training loss per step or epoch.');
    if (c.ts.length < 6) return unknownItem(this, 'Too few training-loss points to judge divergence', 'Log the training loss at least 6 times.');
    const f = findDivergence(c);
    if (!f) return itemOf(this, 'pass', 'The training loss does not climb back up after its minimum', '', { series: c.name });
    const at = whenAt(c, f.minIndex);
    const rs = whenAt(c, f.riseStart);
    const minV = smoothAt(c, f.minIndex);
    const endV = smoothAt(c, c.ts.length - 1);
    const where = at.epoch !== undefined && c.cadence === 'epoch' ? `epoch ${at.epoch}` : `step ${at.step}`;
    const ordering = orderingExplainsLoss(view, context);
    if (ordering) {
      // With the data in a fixed order the batch loss measures which classes a batch holds: the climb is the
      // order's doing until shuffling is on, so this defers to unshuffled_data instead of failing on its own.
      return itemOf(
        this,
        'warn',
        `The batch loss climbs from ${fmt(minV)} (${where}) to ${fmt(endV)}, but the data order explains it (${ordering.shuffleOff ? 'shuffling is off' : 'per-epoch sawtooth'}): see unshuffled_data`,
        'Shuffle the training data first (unshuffled_data); if the loss still climbs afterwards, lower or decay the learning rate.',
        { series: c.name, minStep: at.step, minEpoch: at.epoch ?? null, minValue: minV, lastValue: endV, deferredTo: 'unshuffled_data' },
        [{ series: c.name, step: at.step, label: 'loss minimum', kind: 'point', value: minV }],
      );
    }
    return itemOf(
      this,
      'fail',
      // A step-level curve is judged on its running median: say so, since single logged batches go lower and higher.
      `Training loss diverged: it bottomed at ${fmt(minV)} (${where}) and climbed to ${fmt(endV)}${c.smoothed ? ' (running median of the logged batches)' : ''}`,
      'Lower the learning rate (or decay it), add gradient clipping and warm-up; resume from the checkpoint at the minimum.',
      { series: c.name, minStep: at.step, minEpoch: at.epoch ?? null, minValue: minV, lastValue: endV, riseFactor: c.logScale ? Number(Math.exp(f.rise).toFixed(2)) : null },
      [
        { series: c.name, step: at.step, label: 'loss minimum', kind: 'point', value: minV },
        { series: c.name, step: rs.step, label: 'divergence', kind: 'line' },
      ],
    );
  },
};
