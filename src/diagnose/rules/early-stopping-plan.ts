/** The early-stopping what-if: replay Keras' EarlyStopping on a logged validation curve. */
import type { Curve } from '../signals/view.ts';

export interface WhatIf {
  /** Index of the evaluation at which training would have stopped, null when it would never have triggered. */
  stopIndex: number | null;
  /** Epoch (or step) of that evaluation. */
  stopWhen: number | null;
  bestIndex: number;
  /** Share of the run's evaluations that would not have been run (0…1). */
  savedShare: number;
}

/**
 * Keras semantics: `wait` counts evaluations without improvement (min_delta 0) on the raw logged values;
 * training stops when wait reaches `patience`. Judged on the badness scale, so the metric's direction is honoured.
 */
export function earlyStoppingWhatIf(c: Curve, patience: number): WhatIf {
  const v = c.ty;
  let best = Infinity;
  let bestIndex = 0;
  let wait = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < best) {
      best = v[i];
      bestIndex = i;
      wait = 0;
    } else {
      wait++;
      if (wait >= patience) {
        const e = c.epoch[i];
        return { stopIndex: i, stopWhen: Number.isFinite(e) ? Math.round(e * 100) / 100 : Math.round(c.x[i]), bestIndex, savedShare: (v.length - 1 - i) / v.length };
      }
    }
  }
  return { stopIndex: null, stopWhen: null, bestIndex, savedShare: 0 };
}

/**
 * The smallest patience (from `from` up to `max`) whose replay keeps the curve's overall best evaluation, i.e. does
 * not stop before it. On a noisy validation curve a patience of 3 often stops long before the real best.
 */
export function patienceReachingBest(c: Curve, from: number, max = 50): { patience: number; whatIf: WhatIf } | null {
  const v = c.ty;
  let argmin = 0;
  for (let i = 1; i < v.length; i++) if (v[i] < v[argmin]) argmin = i;
  for (let p = from; p <= max; p++) {
    const w = earlyStoppingWhatIf(c, p);
    if (w.stopIndex === null || w.stopIndex > argmin) return { patience: p, whatIf: w };
  }
  return null;
}
