/**
 * The early-stopping plan of a run: one replay of Keras' EarlyStopping on the logged validation curve, shared by
 * `overfitting`, `early_stopping_missing` and the chart's band, so the checklist tells one story about when the run
 * could have stopped (same patience, same stop epoch, never before the best).
 *
 * The patience is not fixed: a patience of 3 on a noisy curve stops at the first wobble, long before the real best
 * (shared log 013 stopped at epoch 3 while validation accuracy was still at chance). The plan takes the smallest
 * patience from MIN_PATIENCE up whose replay reaches the curve's logged best, so the advice it gives would have kept
 * the best model and still stopped as early as that curve allows.
 */
import type { Curve } from '../signals/view.ts';
import { whenAt } from './shared.ts';

/** The patience tried first (Keras users' usual 3). */
export const MIN_PATIENCE = 3;
/** A patience above this share of the run's evaluations (and at least MIN_PATIENCE + 2) is not a setting to advise. */
export const MAX_PATIENCE_SHARE = 0.25;

export interface StopPlan {
  /** Index into the judged curve of the logged best evaluation (its first occurrence). */
  bestIndex: number;
  /** Epoch (or step) of the best, as the file numbers it. */
  bestWhen: number;
  unit: 'epoch' | 'step';
  /** Smallest patience ≥ MIN_PATIENCE whose replay does not stop before the best; null when none within the cap. */
  patience: number | null;
  /** Where that replay stops (after the best), null when it would not have triggered before the end. */
  stopIndex: number | null;
  stopWhen: number | null;
  /** Share of the run's evaluations that would not have been run (0…1). */
  savedShare: number;
}

/** Keras semantics: `wait` counts evaluations without improvement (min_delta 0) on the raw logged values; training
 * stops when wait reaches `patience`. On the badness scale, so the metric's direction is honoured. */
export function replayStop(ty: ArrayLike<number>, patience: number): number | null {
  let best = Infinity;
  let wait = 0;
  for (let i = 0; i < ty.length; i++) {
    if (ty[i] < best) {
      best = ty[i];
      wait = 0;
    } else if (++wait >= patience) {
      return i;
    }
  }
  return null;
}

export function earlyStoppingPlan(c: Curve): StopPlan {
  const v = c.ty;
  const n = v.length;
  let best = 0;
  for (let i = 1; i < n; i++) if (v[i] < v[best]) best = i;
  const at = whenAt(c, best);
  // Evaluations at fractional epochs (a Trainer evaluating every 500 steps: epoch 7.63) are named by their step, as
  // their checkpoints are (checkpoint-1000): "keep the epoch-7.63 model" names nothing a user can load.
  const wholeEpochs = at.epoch !== undefined && c.epoch.every((e) => Number.isInteger(e));
  const unit: 'epoch' | 'step' = wholeEpochs ? 'epoch' : 'step';
  const when = (w: { epoch?: number; step: number }) => (unit === 'epoch' ? w.epoch! : w.step);
  const bestWhen = when(at);
  const cap = Math.max(MIN_PATIENCE + 2, Math.ceil(n * MAX_PATIENCE_SHARE));
  for (let p = MIN_PATIENCE; p <= cap; p++) {
    const stop = replayStop(v, p);
    if (stop !== null && stop < best) continue;
    const w = stop === null ? null : whenAt(c, stop);
    return { bestIndex: best, bestWhen, unit, patience: p, stopIndex: stop, stopWhen: w ? when(w) : null, savedShare: stop === null ? 0 : (n - 1 - stop) / n };
  }
  return { bestIndex: best, bestWhen, unit, patience: null, stopIndex: null, stopWhen: null, savedShare: 0 };
}

/** The plan in words, for a fix: "early stopping on val_loss with patience 4 (restoring the best weights) would have
 * stopped at epoch 16 and saved 29 % of the epochs". */
export function planText(c: Curve, p: StopPlan): string {
  if (p.patience === null) return `${c.name} is too noisy for a patience under ${Math.max(MIN_PATIENCE + 2, Math.ceil(c.ty.length * MAX_PATIENCE_SHARE))} to keep its best: checkpoint the best ${c.name} instead`;
  const how = `early stopping on ${c.name} with patience ${p.patience} (restoring the best weights)`;
  if (p.stopWhen === null) return `${how} would not have triggered before the end`;
  return `${how} would have stopped at ${p.unit} ${p.stopWhen} and saved ${Math.round(p.savedShare * 100)} % of the ${p.unit}s`;
}

/** The chart's band for a plan: from the stop to the end of the run, one label whichever item draws it. */
export function planBand(c: Curve, p: StopPlan) {
  if (p.stopIndex === null || p.savedShare <= 0) return [];
  return [{ series: c.name, step: Math.round(c.x[p.stopIndex]), toStep: Math.round(c.x[c.x.length - 1]), label: 'saved by early stopping', kind: 'band' as const }];
}
