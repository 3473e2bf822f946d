/**
 * AUTOTRAINER's published symptom rules (Zhang et al., ICSE 2021), checked from 30 % of training on:
 * - exploding: NaN loss, or loss ≥ 1e3 → nan_loss / divergence;
 * - slow convergence: max train and val accuracy < 0.6 and the largest one-epoch accuracy gain < 0.01 → plateau, underfitting;
 * - oscillation: accuracy local max/min pairs differing by ≥ 0.03 occur ≥ 0.2 × epochs times → oscillation.
 */
import type { Baseline, EpochTable } from './epoch-table.ts';

export const START_SHARE = 0.3;
export const EXPLODE_LOSS = 1e3;
export const SLOW_ACC = 0.6;
export const SLOW_GAIN = 0.01;
export const OSC_DELTA = 0.03;
export const OSC_SHARE = 0.2;

function oscillationCount(acc: number[]): number {
  // Alternating local extrema; count consecutive max/min pairs that differ by at least OSC_DELTA.
  const ext: number[] = [];
  for (let i = 1; i < acc.length - 1; i++) {
    if ((acc[i] > acc[i - 1] && acc[i] > acc[i + 1]) || (acc[i] < acc[i - 1] && acc[i] < acc[i + 1])) ext.push(acc[i]);
  }
  let n = 0;
  for (let i = 1; i < ext.length; i++) if (Math.abs(ext[i] - ext[i - 1]) >= OSC_DELTA) n++;
  return n;
}

export const autotrainer: Baseline = {
  name: 'AUTOTRAINER rules',
  covers: ['nan_loss', 'divergence', 'plateau', 'underfitting', 'oscillation'],
  predict(t: EpochTable) {
    const out = new Set<string>();
    const epochs = Math.max(t.loss.length, t.valLoss.length, t.acc.length, t.valAcc.length);
    const from = Math.floor(epochs * START_SHARE);
    const losses = [...t.loss.slice(from), ...t.valLoss.slice(from)];
    if (t.allLosses.some((v) => Number.isNaN(v))) out.add('nan_loss');
    if (losses.some((v) => v >= EXPLODE_LOSS || v === Infinity)) out.add('divergence');
    if (t.acc.length || t.valAcc.length) {
      const maxTrain = t.acc.length ? Math.max(...t.acc) : -Infinity;
      const maxVal = t.valAcc.length ? Math.max(...t.valAcc) : -Infinity;
      const accs = t.acc.length ? t.acc : t.valAcc;
      let gain = -Infinity;
      for (let i = Math.max(1, from); i < accs.length; i++) gain = Math.max(gain, accs[i] - accs[i - 1]);
      if (maxTrain < SLOW_ACC && maxVal < SLOW_ACC && gain < SLOW_GAIN) {
        out.add('plateau');
        out.add('underfitting');
      }
      for (const a of [t.acc, t.valAcc]) {
        const tail = a.slice(from);
        if (tail.length >= 3 && oscillationCount(tail) >= OSC_SHARE * epochs) out.add('oscillation');
      }
    }
    return out;
  },
};
