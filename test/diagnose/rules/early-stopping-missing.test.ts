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

  it.each(SCALES)('on a short run (8 evaluations, best at the second, then worse) asks what patience 3 would have saved, as overfitting does (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 8, train: decay(1, 0.1, 2), val: turnsUp(1.1, 0.3, 0.5, 1, 0.3) });
    const item = itemFor(run, 'early_stopping_missing');
    expect(item.status).toBe('warn');
    expect(item.evidence).toMatchObject({ evaluations: 8, patience: 3 });
    expect(item.title).toMatch(/early stopping \(patience 3\) would have saved \d+ % of them/);
    expect(itemFor(run, 'overfitting').fix).toMatch(/patience 3/);
  });

  it.each(SCALES)('passes a short run whose best comes at the end (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 8, train: decay(1, 0.1, 2), val: decay(1.1, 0.3, 3) });
    expect(itemFor(run, 'early_stopping_missing').status).toBe('pass');
  });
});
