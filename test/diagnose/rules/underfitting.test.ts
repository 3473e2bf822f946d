import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('underfitting', () => {
  it.each(SCALES)('warns when training stalls with little progress and validation tracks it (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 20, train: decay(0.88, 0.82, 0.7), val: decay(0.83, 0.815, 0.7), trainAcc: () => 0.63, valAcc: () => 0.63 });
    expect(itemFor(run, 'underfitting').status).toBe('warn');
  });

  it.each(SCALES)('passes a model that fits the training data (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 20, train: decay(0.9, 0.05, 3), val: decay(0.9, 0.3, 3), trainAcc: (e) => 0.99 - 0.3 * Math.exp(-e / 3) });
    expect(itemFor(run, 'underfitting').status).toBe('pass');
  });
});
