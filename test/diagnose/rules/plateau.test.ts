import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('plateau', () => {
  it.each(SCALES)('warns when training fell 3× and then stopped for the rest of the run while validation stopped too (scale %s)', (scale) => {
    // Progress over the first fifth, then the rate is cut to nothing: flat at a third of the start (a stall of 80 % of the
    // run: the corpus fit asks 76.5 %).
    const stalled = (start: number, level: number) => (e: number) => (e < 4 ? start * Math.pow(level / start, e / 4) : level);
    const run = makeRun({ scale, epochs: 20, stepsPerEpoch: 30, train: stalled(1.2, 0.4), val: stalled(1.1, 0.45), trainAcc: (e) => Math.min(0.8, 0.4 + 0.08 * e), valAcc: (e) => Math.min(0.78, 0.4 + 0.08 * e) });
    const item = itemFor(run, 'plateau');
    expect(item.status).toBe('warn');
    expect(item.marks[0].kind).toBe('band');
    expect(itemFor(run, 'underfitting').status).toBe('pass');
  });

  it.each(SCALES)('leaves a stall from epoch 1 to underfitting (no progress at all is not a plateau) (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 20, stepsPerEpoch: 30, train: decay(0.9, 0.82, 0.5), val: decay(0.85, 0.82, 0.5), trainAcc: () => 0.63, valAcc: () => 0.63 });
    expect(itemFor(run, 'plateau').status).toBe('pass');
    expect(itemFor(run, 'underfitting').status).toBe('warn');
  });

  it.each(SCALES)('passes a high, nearly flat val loss while val accuracy keeps improving (label smoothing) (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 10, stepsPerEpoch: 40, train: decay(1.9, 0.7, 0.5), trainNoise: 0.12, val: (e) => 1.26 - 0.003 * e, valAcc: (e) => 0.97 + 0.0015 * e });
    expect(itemFor(run, 'plateau').status).toBe('pass');
  });

  it.each(SCALES)('passes a loss that converged after a 100× drop (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 40, stepsPerEpoch: 25, train: decay(4, 0.02, 1.5) }), 'plateau').status).toBe('pass');
  });

  it.each(SCALES)('passes a loss that collapses 80× within the first 4 %% of the run and then sits at its floor (scale %s)', (scale) => {
    // 80×: beyond what the corpus fit calls converged (FIT.convergedProgress, e^4 ≈ 55×).
    const run = makeRun({ scale, epochs: 40, stepsPerEpoch: 25, train: decay(0.6, 0.0074, 0.3), val: decay(0.14, 0.0081, 0.3), trainNoise: 0.01, valNoise: 0.01 });
    expect(itemFor(run, 'plateau').status).toBe('pass');
    expect(itemFor(run, 'underfitting').status).toBe('pass');
  });

  it('warns when the learning rate fell to nothing while the loss was still falling, whatever level it froze at (a milestone counted in steps)', () => {
    // Val loss falls fast for 7 epochs, the rate drops ×1e-5, and it never moves again (val accuracy 0.89: a good level
    // that the accuracy bar alone would call converged).
    const falling = decay(1.8, 0.2, 3);
    const val = (e: number) => falling(Math.min(e, 7));
    const lr = (e: number) => (e < 7 ? 6e-4 : 6e-9);
    const run = makeRun({ epochs: 38, train: val, val, valAcc: (e) => Math.min(0.887, 0.6 + 0.045 * Math.min(e, 7)), lr, valNoise: 0.002 });
    const item = itemFor(run, 'plateau');
    expect(item.status).toBe('warn');
    expect(item.title).toMatch(/froze at .* from epoch 7 \(8\d % of the run\), when the learning rate fell to 6e-9/);
    // The same schedule stepped down long after the loss had settled is not this story.
    const settled = decay(1.8, 0.2, 1.5);
    const late = makeRun({ epochs: 38, train: settled, val: settled, valAcc: () => 0.9, lr: (e) => (e < 18 ? 6e-4 : 6e-9), valNoise: 0.002 });
    expect(itemFor(late, 'plateau').title).not.toMatch(/froze/);
  });
});
