/**
 * A metric-threshold alert of the kind tracking services offer: alert when the latest value's z-score against the
 * trailing WINDOW values is at least Z (upward, for a loss). Read on the training loss as logged (any cadence) and on
 * the validation loss:
 * - a training-loss alert anywhere → loss_spikes; still alerting at the last point → divergence;
 * - a validation-loss alert → overfitting;
 * - a non-finite value alerts too (it is "worse than anything") → nan_loss.
 */
import type { Baseline, EpochTable } from './epoch-table.ts';

export const WINDOW = 30;
export const Z = 3;

/** Indices whose value is ≥ Z trailing standard deviations above the trailing mean (or non-finite). */
export function zAlerts(values: readonly number[], window = WINDOW, z = Z): number[] {
  const out: number[] = [];
  for (let i = window; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out.push(i);
      continue;
    }
    let sum = 0;
    let sq = 0;
    let n = 0;
    for (let j = i - window; j < i; j++) {
      const w = values[j];
      if (!Number.isFinite(w)) continue;
      sum += w;
      sq += w * w;
      n++;
    }
    if (n < 2) continue;
    const mean = sum / n;
    const sd = Math.sqrt(Math.max(0, sq / n - mean * mean));
    if (sd > 0 && (v - mean) / sd >= z) out.push(i);
  }
  return out;
}

export const zscoreAlert: Baseline = {
  name: `z-score alert (|z| ≥ ${Z} vs trailing ${WINDOW})`,
  covers: ['loss_spikes', 'divergence', 'overfitting', 'nan_loss'],
  predict(t: EpochTable) {
    const out = new Set<string>();
    const train = t.trainLossAsLogged.length ? t.trainLossAsLogged : t.loss;
    const a = zAlerts(train);
    if (a.some((i) => !Number.isFinite(train[i])) || t.allLosses.some((v) => !Number.isFinite(v))) out.add('nan_loss');
    const finiteAlerts = a.filter((i) => Number.isFinite(train[i]));
    if (finiteAlerts.length) out.add('loss_spikes');
    if (finiteAlerts.includes(train.length - 1)) out.add('divergence');
    if (zAlerts(t.valLoss).some((i) => Number.isFinite(t.valLoss[i]))) out.add('overfitting');
    return out;
  },
};
