/** Keras `TerminateOnNaN`: stops when a batch loss is NaN or ±Inf. Read as nan_loss. */
import type { Baseline } from './epoch-table.ts';

export const terminateOnNan: Baseline = {
  name: 'keras TerminateOnNaN',
  covers: ['nan_loss'],
  predict(t) {
    return t.allLosses.some((v) => !Number.isFinite(v)) ? new Set(['nan_loss']) : new Set();
  },
};
