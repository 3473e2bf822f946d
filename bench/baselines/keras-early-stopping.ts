/**
 * Keras `EarlyStopping(monitor='val_loss', patience=p, min_delta=0)`: stops when val_loss has not improved for p
 * epochs (p = 0: the first epoch without improvement). A stop before the last epoch is read as
 * "this run should have stopped": overfitting and early_stopping_missing.
 */
import type { Baseline, EpochTable } from './epoch-table.ts';

export function wouldStop(valLoss: number[], patience: number): number | null {
  let best = Infinity;
  let wait = 0;
  for (let i = 0; i < valLoss.length; i++) {
    const v = valLoss[i];
    if (v < best) {
      best = v;
      wait = 0;
    } else {
      wait++;
      // Keras checks `wait >= patience` after incrementing; patience 0 stops at the first non-improvement.
      if (wait >= Math.max(1, patience) && i < valLoss.length - 1) return i;
    }
  }
  return null;
}

export function kerasEarlyStopping(patience: number): Baseline {
  return {
    name: `keras EarlyStopping(patience=${patience})`,
    covers: ['overfitting', 'early_stopping_missing'],
    predict(t: EpochTable) {
      return wouldStop(t.valLoss, patience) !== null ? new Set(['overfitting', 'early_stopping_missing']) : new Set();
    },
  };
}
