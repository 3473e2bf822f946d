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

  it('counts the late evaluations where validation is 20 % below training: two noisy epochs above it do not clear a run', () => {
    // Validation 30 % below training for 20 epochs, except two late evaluations that jump above it.
    const run = makeRun({ epochs: 20, train: decay(3, 0.8, 4), val: decay(2.1, 0.56, 4), trainNoise: 0.005, valNoise: 0.005 });
    const v = run.series.find((x) => x.name === 'val_loss')!.values;
    v[13] = v[13]! * 1.6;
    v[17] = v[17]! * 1.6;
    const item = itemFor(run, 'val_better_than_train');
    expect(item.status).toBe('warn');
    expect(item.title).toMatch(/^val_loss is at least 20 % below loss at 80 % of the late evaluations/);
    // 10 % below everywhere is the usual spread of an epoch-averaged training loss, not this finding.
    expect(itemFor(makeRun({ epochs: 20, train: decay(3, 0.8, 4), val: decay(2.7, 0.72, 4), trainNoise: 0.005, valNoise: 0.005 }), 'val_better_than_train').status).toBe('pass');
  });
});
