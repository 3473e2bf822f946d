/** Stalled curves: shared by plateau, underfitting and stuck_at_chance. */
import type { Curve } from '../signals/view.ts';
import { levels, meaningful, stallIndex } from './shared.ts';

/** A stall must cover at least this share of the run. */
export const MIN_STALL_SHARE = 0.5;
/** Total improvement below this (log scale ≈ 18 %; 10 % of range on a linear one) means the run barely learned. */
export const SMALL_LOG_PROGRESS = 0.2;
export const SMALL_RANGE_PROGRESS = 0.1;
/** Progress within this many noise units of the curve is no progress. */
export const NOISE_SIGMAS_PROGRESS = 2;
/** An improvement counts when it beats the running best by this many noise units. */
export const STALL_SIGMAS = 3;

export interface Stall {
  curve: Curve;
  /** Index where the stall starts. */
  from: number;
  share: number;
  /** Improvement from the start to the end level (badness units). */
  progress: number;
  smallProgress: boolean;
  /** The stall is level: the end is within noise of the best (a curve that climbs back up is not a plateau). */
  flat: boolean;
}

export function findStall(c: Curve | null): Stall | null {
  if (!c || c.ts.length < 5) return null;
  const n = c.ts.length;
  const s = stallIndex(c, meaningful(c, STALL_SIGMAS));
  const share = (n - 1 - s) / (n - 1);
  if (share < MIN_STALL_SHARE) return null;
  const lv = levels(c);
  // Start to end level, not start to minimum: the minimum of a noisy curve is biased low.
  const progress = lv.head - lv.tail;
  const noise = Number.isFinite(c.noise) ? c.noise : 0;
  // Small: below the fixed floor, or indistinguishable from the curve's own point-to-point noise.
  const floor = c.logScale ? SMALL_LOG_PROGRESS : SMALL_RANGE_PROGRESS * c.range;
  const smallProgress = progress < Math.max(floor, NOISE_SIGMAS_PROGRESS * noise);
  const flat = lv.tail - lv.min <= Math.max(floor, NOISE_SIGMAS_PROGRESS * noise);
  return { curve: c, from: s, share, progress, smallProgress, flat };
}
