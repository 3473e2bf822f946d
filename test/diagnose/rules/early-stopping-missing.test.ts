import { describe, expect, it } from 'vitest';
import { makeRun, decay, turnsUp, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('early_stopping_missing', () => {
  it.each(SCALES)('warns when the best val loss is at epoch ~10 of 40 and the rest got worse (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 40, train: decay(1, 0.05, 6), val: turnsUp(1, 0.4, 3, 10, 0.02) });
    const item = itemFor(run, 'early_stopping_missing');
    expect(item.status).toBe('warn');
    expect(Number(item.evidence.savedShare)).toBeGreaterThan(0.5);
    expect(item.marks[0].kind).toBe('band');
  });

  it.each(SCALES)('passes when the best is at the end, or early stopping is configured (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 40, train: decay(1, 0.05, 6), val: decay(1, 0.3, 10) }), 'early_stopping_missing').status).toBe('pass');
    const overfit = makeRun({ scale, epochs: 40, train: decay(1, 0.05, 6), val: turnsUp(1, 0.4, 3, 10, 0.02) });
    expect(itemFor(overfit, 'early_stopping_missing', { config: { earlyStopping: true } }).status).toBe('pass');
  });
});
