/**
 * Lightning's `EarlyStopping(monitor='val_loss', patience=3, check_finite=True, divergence_threshold=…)` (training loss
 * when nothing is validated), replayed on the logged values:
 * - a non-finite monitored value stops the run → nan_loss;
 * - a value worse than `divergence_threshold` stops it → divergence. Lightning needs an absolute threshold; a user
 *   sets it from the start of the curve, so it is taken as DIVERGENCE_FACTOR × the first monitored value;
 * - `patience` evaluations without improvement stop it before the last one → overfitting, early_stopping_missing.
 */
import type { Baseline, EpochTable } from './epoch-table.ts';

export const PATIENCE = 3;
export const DIVERGENCE_FACTOR = 2;

export const lightningEarlyStopping: Baseline = {
  name: `lightning EarlyStopping(patience=${PATIENCE}, check_finite, divergence ${DIVERGENCE_FACTOR}× start)`,
  covers: ['nan_loss', 'divergence', 'overfitting', 'early_stopping_missing'],
  predict(t: EpochTable) {
    const out = new Set<string>();
    const monitor = t.valLoss.length ? t.valLoss : t.loss;
    if (monitor.length === 0) return out;
    const threshold = DIVERGENCE_FACTOR * monitor.find((v) => Number.isFinite(v))!;
    let best = Infinity;
    let wait = 0;
    for (let i = 0; i < monitor.length; i++) {
      const v = monitor[i];
      if (!Number.isFinite(v)) {
        out.add('nan_loss');
        return out;
      }
      if (Number.isFinite(threshold) && v > threshold) {
        out.add('divergence');
        return out;
      }
      if (v < best) {
        best = v;
        wait = 0;
      } else if (++wait >= PATIENCE && i < monitor.length - 1) {
        out.add('overfitting');
        out.add('early_stopping_missing');
        return out;
      }
    }
    return out;
  },
};
