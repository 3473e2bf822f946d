import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('lr_too_low', () => {
  it.each(SCALES)('warns on a slow, almost linear descent still going at the end (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, epochs: 30, train: (e) => 1 - 0.015 * e, val: (e) => 1.05 - 0.015 * e, lr: () => 1e-5 }), 'lr_too_low');
    expect(item.status).toBe('warn');
    expect(item.fix).toContain('1e-5');
  });

  it.each(SCALES)('passes a curve that falls fast and bends (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 30, train: decay(1, 0.2, 3), val: decay(1.1, 0.25, 3) }), 'lr_too_low').status).toBe('pass');
  });

  it('uses the update/weight ratio from instrumentation: 1e-6 warns, 1e-3 does not', () => {
    const run = makeRun({ epochs: 30, train: decay(1, 0.2, 3), val: decay(1.1, 0.25, 3) });
    expect(itemFor(run, 'lr_too_low', { instrumentation: { updateRatio: [1e-6, 2e-6, 1e-6] } }).status).toBe('warn');
    expect(itemFor(run, 'lr_too_low', { instrumentation: { updateRatio: [1e-3, 1e-3] } }).status).toBe('pass');
  });

  it('does not call weights that never move (ratio 0: frozen, or NaN after a blow-up) a low learning rate', () => {
    const run = makeRun({ epochs: 30, train: decay(1, 0.2, 3), val: decay(1.1, 0.25, 3) });
    expect(itemFor(run, 'lr_too_low', { instrumentation: { updateRatio: [0, 0, 0] } }).status).toBe('pass');
  });
});
