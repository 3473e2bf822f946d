/**
 * train_loss_rising: a sustained stretch where the smoothed training loss sits clearly above the best it had
 * reached before (the optimiser is going uphill), or a rising trend at the end. Weaker than divergence: it may recover.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { Curve, RunView } from '../signals/view.ts';
import { fmt, loggedEpochTrainLoss, smoothAt, whenAt } from './shared.ts';
import { findDivergence } from './divergence.ts';
import { orderingExplainsLoss } from './unshuffled-data.ts';

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - minStretchShare: A stretch counts when it covers at least this share of the run…
 * - noiseSigmas: …and stays this many smoothed-noise units above the running best…
 * - minLogRise: …and at least this much above it on the log scale (2 %), or this share of the curve's range on a linear one.
 * - maxLogEndRise: A rise is this item's (a bad stretch of the schedule that training recovered from) when the run ends
 *   within this of the best on the log scale (0.405: 1.5×); one that ends far above it never recovered, and the rate
 *   (lr_too_high) or divergence tells that story.
 */
export const FIT = { minStretchShare: 0.159, noiseSigmas: 2, minLogRise: 0.264, maxLogEndRise: 0.292, falseAlarms: 0 };
export const MIN_RANGE_RISE = 0.05;

export interface RisingStretch {
  from: number;
  to: number;
  bestBefore: number;
  peak: number;
}

export function findRisingStretch(c: Curve): RisingStretch | null {
  const n = c.ts.length;
  if (n < 8) return null;
  const noise = Number.isFinite(c.smoothNoise) ? c.smoothNoise : 0;
  const margin = Math.max(FIT.noiseSigmas * noise, c.logScale ? FIT.minLogRise : MIN_RANGE_RISE * c.range);
  const minLen = Math.max(4, Math.ceil(n * FIT.minStretchShare));
  let best = c.ts[0];
  let start = -1;
  let bestAtStart = best;
  let longest: RisingStretch | null = null;
  for (let i = 0; i < n; i++) {
    const v = c.ts[i];
    if (v > best + margin) {
      if (start < 0) {
        start = i;
        bestAtStart = best;
      }
    } else {
      if (start >= 0 && i - start >= minLen && (!longest || i - start > longest.to - longest.from)) {
        longest = { from: start, to: i - 1, bestBefore: bestAtStart, peak: peakOf(c, start, i) };
      }
      start = -1;
    }
    if (start < 0 && v < best) best = v;
  }
  if (start >= 0 && n - start >= minLen && (!longest || n - start > longest.to - longest.from)) {
    longest = { from: start, to: n - 1, bestBefore: bestAtStart, peak: peakOf(c, start, n) };
  }
  return longest;
}

function peakOf(c: Curve, from: number, to: number): number {
  let p = from;
  for (let i = from; i < to; i++) if (c.ts[i] > c.ts[p]) p = i;
  return p;
}

/**
 * The curve a rise is judged on: the training loss the log has per epoch, when it has one beside the step-level loss
 * (Lightning's train_loss_epoch next to train_loss_step, Keras' epoch loss next to batch_loss). A running median of
 * batch losses still carries their noise in its running best, and its window, not the epochs, sets how long a rise must
 * last. Checked on the corpus' tune split: train_loss_rising F1 64 → 72, no healthy run more flagged. Per-epoch means
 * computed from the step loss instead (for logs without an epoch-level loss) gained nothing and added two false
 * positives, so they are not used.
 */
export function riseCurve(view: RunView): Curve | null {
  return loggedEpochTrainLoss(view, 8) ?? view.trainLoss;
}

export const trainLossRisingRule: Rule = {
  id: 'train_loss_rising',
  area: 'convergence',
  check({ view, context }) {
    const c = riseCurve(view);
    if (!c || c.ts.length === 0) return unknownItem(this, 'No training loss to check', 'Log the training loss per step or epoch.');
    if (c.ts.length < 8) return unknownItem(this, 'Too few training-loss points to see a rise', 'Log the training loss at least 8 times.');
    const d = findDivergence(c);
    const r = findRisingStretch(c);
    if (!r) return itemOf(this, 'pass', 'The training loss never climbs for long above its best', '', { series: c.name });
    const from = whenAt(c, r.from);
    const to = whenAt(c, r.to);
    const share = (r.to - r.from + 1) / c.ts.length;
    const peakV = smoothAt(c, r.peak);
    const endRise = c.ts[c.ts.length - 1]! - r.bestBefore;
    if (!d && c.logScale && endRise > FIT.maxLogEndRise) {
      return itemOf(this, 'pass', `Training loss rose above its best ${fmt(c.scale.fromBadness(r.bestBefore))} and never came back (${fmt(c.scale.fromBadness(c.ts[c.ts.length - 1]!))} at the end): a rate problem, not a bad stretch`, '', { series: c.name, endOverBest: Number(Math.exp(endRise).toFixed(2)) });
    }
    const ordering = orderingExplainsLoss(view, context);
    if (ordering) {
      // Batches in a fixed order make the batch loss follow the order (the same reason lr_too_high and divergence
      // defer): blaming the optimiser would send the user to the wrong knob.
      return itemOf(
        this,
        'warn',
        `Training loss rose to ${fmt(peakV)} for ${Math.round(share * 100)} % of the run, but the data order explains it (${ordering.shuffleOff ? 'shuffling is off' : 'per-epoch sawtooth'}): see unshuffled_data`,
        'Shuffle the training data first (unshuffled_data); if the loss still climbs afterwards, lower the learning rate.',
        { series: c.name, fromStep: from.step, toStep: to.step, fromEpoch: from.epoch ?? null, shareOfRun: Number(share.toFixed(2)), peak: peakV, deferredTo: 'unshuffled_data' },
        [{ series: c.name, step: from.step, toStep: to.step, label: 'loss rising', kind: 'band' }],
      );
    }
    return itemOf(
      this,
      d ? 'fail' : 'warn',
      `Training loss rose to ${fmt(peakV)} and stayed above its earlier best ${fmt(c.scale.fromBadness(r.bestBefore))} for ${Math.round(share * 100)} % of the run`,
      'A loss that goes up while training is an optimiser stepping too far: lower the learning rate, add warm-up or gradient clipping.',
      { series: c.name, fromStep: from.step, toStep: to.step, fromEpoch: from.epoch ?? null, shareOfRun: Number(share.toFixed(2)), peak: peakV },
      [{ series: c.name, step: from.step, toStep: to.step, label: 'loss rising', kind: 'band' }],
    );
  },
};
