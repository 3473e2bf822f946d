/** Which curve tells whether the model is still learning: validation first (it is what matters), else training. */
import type { Curve, RunView } from '../signals/view.ts';

/** Fewer points than this cannot show a trend. */
export const MIN_TREND_POINTS = 4;

/**
 * The first candidate with at least `minPoints` points: a check that needs more points than a short validation
 * curve has (5 evaluations beside 250 logged batches) reads the training curve instead of giving up.
 */
export function progressCurve(view: RunView, minPoints = MIN_TREND_POINTS): Curve | null {
  const candidates = [view.valLoss, view.valMetric, view.trainLoss, view.trainMetric];
  for (const c of candidates) if (c && c.ts.length >= minPoints) return c;
  return null;
}

/** The longest loss or metric curve, to say how many points a run has when none is long enough. */
export function longestCurve(view: RunView): Curve | null {
  let best: Curve | null = null;
  for (const c of [view.valLoss, view.valMetric, view.trainLoss, view.trainMetric]) if (c && (!best || c.ts.length > best.ts.length)) best = c;
  return best;
}
