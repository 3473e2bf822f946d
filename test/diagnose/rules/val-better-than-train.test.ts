import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('val_better_than_train', () => {
  it.each(SCALES)('warns when val loss stays 35 %% below the train loss (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, epochs: 20, stepsPerEpoch: 30, train: decay(3, 0.8, 4), val: decay(2, 0.52, 4) }), 'val_better_than_train');
    expect(item.status).toBe('warn');
  });

  it.each(SCALES)('passes the usual order, val slightly above train (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 20, stepsPerEpoch: 30, train: decay(3, 0.8, 4), val: decay(3, 0.9, 4) }), 'val_better_than_train').status).toBe('pass');
  });
});
