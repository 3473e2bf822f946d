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

  it('does not contradict lr_too_high: a slow steady fall while each step moves the weights by a large share passes', () => {
    const run = makeRun({ epochs: 30, train: (e) => 1 - 0.015 * e, val: (e) => 1.05 - 0.015 * e, lr: () => 1e-5 });
    const context = { instrumentation: { updateRatio: [0.2, 0.25, 0.18] } };
    expect(itemFor(run, 'lr_too_high', context).status).toBe('fail');
    const low = itemFor(run, 'lr_too_low', context);
    expect(low.status).toBe('pass');
    expect(low.evidence.updateRatioMedian).toBe(0.2);
  });

  it('passes a run whose training loss diverged, even if what is left of the curve falls slowly', () => {
    const run = makeRun({ epochs: 30, train: (e) => (e < 20 ? 1 - 0.015 * e : 0.7 * 3 ** (e - 19)), val: (e) => 1.05 - 0.015 * e });
    expect(itemFor(run, 'divergence').status).toBe('fail');
    expect(itemFor(run, 'lr_too_low').status).toBe('pass');
  });
});
