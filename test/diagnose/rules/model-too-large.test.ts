import { describe, expect, it } from 'vitest';
import { makeRun, decay, turnsUp } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('model_too_large', () => {
  it('fails with 10 M parameters for 1 000 examples when the curves overfit', () => {
    const run = makeRun({ epochs: 30, train: decay(1, 0.02, 4), val: turnsUp(1, 0.4, 3, 8, 0.04) });
    expect(itemFor(run, 'model_too_large', { model: { params: 10_000_000 }, dataset: { trainSize: 1000 } }).status).toBe('fail');
  });
  it('passes 100 k parameters for 50 k examples and is unknown without sizes', () => {
    const run = makeRun({ epochs: 30, train: decay(1, 0.2, 4), val: decay(1, 0.3, 4) });
    expect(itemFor(run, 'model_too_large', { model: { params: 100_000 }, dataset: { trainSize: 50_000 } }).status).toBe('pass');
    expect(itemFor(run, 'model_too_large').status).toBe('unknown');
  });
});
