/** Which curve tells whether the model is still learning: validation first (it is what matters), else training. */
import type { Curve, RunView } from '../signals/view.ts';

/** Fewer points than this cannot show a trend. */
export const MIN_TREND_POINTS = 4;

export function progressCurve(view: RunView): Curve | null {
  const candidates = [view.valLoss, view.valMetric, view.trainLoss, view.trainMetric];
  for (const c of candidates) if (c && c.ts.length >= MIN_TREND_POINTS) return c;
  return null;
}
