/**
 * UMLAUT's heuristics (Schoop et al., CHI 2021): overfitting when in any epoch the validation loss rises while the
 * training loss does not; and a warning when validation accuracy exceeds training accuracy (val_better_than_train).
 */
import type { Baseline, EpochTable } from './epoch-table.ts';

export const umlaut: Baseline = {
  name: 'UMLAUT heuristics',
  covers: ['overfitting', 'val_better_than_train'],
  predict(t: EpochTable) {
    const out = new Set<string>();
    // Training loss taken at the validation points, so step-logged runs compare like for like.
    const train = t.lossAtVal;
    const n = Math.min(train.length, t.valLoss.length);
    for (let i = 1; i < n; i++) {
      if (t.valLoss[i] > t.valLoss[i - 1] && !(train[i] > train[i - 1])) {
        out.add('overfitting');
        break;
      }
    }
    const m = Math.min(t.acc.length, t.valAcc.length);
    if (m > 0 && t.valAcc[m - 1] > t.acc[m - 1]) out.add('val_better_than_train');
    return out;
  },
};
