import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('leakage', () => {
  it('fails when 5 % of validation is in training', () => {
    expect(itemFor(run, 'leakage', { dataset: { valSize: 1000, trainValOverlap: 50 } }).status).toBe('fail');
  });
  it('without dataset statistics, a perfect validation (accuracy 1.0) is a hint among the unchecked items, not a warning', () => {
    const perfect = makeRun({ epochs: 10, train: decay(1, 0.001, 1), valAcc: () => 0.9 });
    perfect.series[1].values.set([0.9, 0.95, 0.99, 1, 1, 1, 1, 1, 1, 1]);
    const item = itemFor(perfect, 'leakage');
    expect(item.status).toBe('unknown');
    expect(item.title).toMatch(/validation is perfect \(val_accuracy 1\): check for leakage/);
    const good = makeRun({ epochs: 10, train: decay(1, 0.05, 1), valAcc: (e) => Math.min(0.98, 0.9 + 0.05 * e) });
    expect(itemFor(good, 'leakage')).toMatchObject({ status: 'unknown', title: 'Train/validation overlap is not known' });
  });

  it('passes no overlap and is unknown without the validation size', () => {
    expect(itemFor(run, 'leakage', { dataset: { valSize: 1000, trainValOverlap: 0 } }).status).toBe('pass');
    expect(itemFor(run, 'leakage', { dataset: { trainValOverlap: 3 } }).status).toBe('unknown');
  });
});
