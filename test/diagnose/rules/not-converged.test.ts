import { describe, expect, it } from 'vitest';
import { makeRun, makeSeries, decay, turnsUp, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('not_converged', () => {
  it.each(SCALES)('warns when val loss is still falling at the end and estimates the epochs per 1 %% (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 10, train: decay(4.8, 2.5, 8), val: decay(4.1, 2.5, 8) });
    const item = itemFor(run, 'not_converged');
    expect(item.status).toBe('warn');
    expect(item.fix).toMatch(/Give it more epochs/);
    // Tail slope ≈ 2–3 % per epoch here, so the next 1 % is about one epoch away.
    expect(item.evidence.moreForNextPercent).toBeGreaterThanOrEqual(1);
    expect(item.evidence.moreForNextPercent).toBeLessThanOrEqual(2);
  });

  it('says the next 1 % takes less than one epoch when the curve still falls faster than 1 % per epoch', () => {
    const run = makeRun({ epochs: 6, train: decay(4.8, 0.5, 3), val: decay(4.1, 0.5, 3) });
    const item = itemFor(run, 'not_converged');
    expect(item.status).toBe('warn');
    expect(item.evidence.ratePerUnit as number).toBeGreaterThan(0.05);
    expect(item.title).toMatch(/\(the next 1 % in less than one epoch\)$/);
    expect(item.fix).toMatch(/the next 1 % takes less than one epoch\.$/);
  });

  it.each(SCALES)('passes a curve that flattened long before the end (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 40, train: decay(1, 0.2, 3), val: decay(1.1, 0.3, 3) });
    expect(itemFor(run, 'not_converged').status).toBe('pass');
  });

  it('does not tell a run whose loss ended as NaN to train longer, and leaves it to nan_loss', () => {
    // Falling steadily until the loss blows up at epoch 7: the finite part alone reads "still improving".
    const run = makeRun({ stepsPerEpoch: 50, epochs: 10, train: (e) => (e >= 7 ? NaN : decay(4.8, 2.5, 8)(e)), val: (e) => (e >= 7 ? NaN : decay(4.1, 2.5, 8)(e)) });
    const item = itemFor(run, 'not_converged');
    expect(item.status).toBe('unknown');
    expect(item.title).toMatch(/^Not judged: .* ended as NaN \(see nan_loss\)$/);
    expect(item.evidence.deferredTo).toBe('nan_loss');
    expect(itemFor(run, 'nan_loss').status).toBe('fail');
  });

  it('still judges a run with one NaN step in the middle (a skipped mixed-precision step)', () => {
    const run = makeRun({ stepsPerEpoch: 50, epochs: 10, train: (e) => (Math.abs(e - 5) < 0.01 ? NaN : decay(4.8, 2.5, 8)(e)), val: decay(4.1, 2.5, 8) });
    expect(itemFor(run, 'not_converged').status).toBe('warn');
  });

  it('does not call a validation curve that got worse at the end "flattened"', () => {
    const run = makeRun({ epochs: 12, train: decay(1, 0.1, 2), val: turnsUp(1.1, 0.3, 0.8, 3, 0.2) });
    const item = itemFor(run, 'not_converged');
    expect(item.status).toBe('pass');
    expect(item.title).toMatch(/stopped improving before the end \(it got worse over the last part\)$/);
  });

  it('does not call a tail "flattened" that fell a good share but within its own noise: it says so', () => {
    // val_loss halves over the last quarter, but it jumps ±30 % between evaluations: the fall proves nothing either way.
    const fall = (e: number) => (e < 18 ? 1 : 1 - (0.5 * (e - 17)) / 6);
    const run = makeRun({ epochs: 24, train: fall, val: fall, valNoise: 0.3, seed: 3 });
    const item = itemFor(run, 'not_converged');
    expect(item.status).toBe('pass');
    expect(item.title).not.toMatch(/flattened/);
    expect(item.title).toMatch(/by no more than its noise/);
  });

  it('reads the tail on the loss scale people read: a loss that fell from 2.3 to 0.01 and creeps on by thousandths has converged', () => {
    // On a log scale the last quarter (0.008 → 0.004) is ~12 % of the run's progress and would read "still improving";
    // on the plot people read it is flat: 0.2 % of the fall from 2.4.
    const creep = (e: number) => 2.3 * Math.exp(-e / 2.5) + 0.1 * Math.exp(-e / 12);
    const run = makeRun({ epochs: 40, train: creep, val: creep });
    const item = itemFor(run, 'not_converged');
    expect(item.status).toBe('pass');
    expect(item.title).toMatch(/has flattened by the end$/);
  });

  it('still warns on a curve whose last quarter carries a good share of the fall in its own units', () => {
    const steady = (e: number) => 2.3 - 0.05 * e;
    const run = makeRun({ epochs: 30, train: steady, val: (e) => steady(e) + 0.1 });
    const item = itemFor(run, 'not_converged');
    expect(item.status).toBe('warn');
    expect(item.evidence.tailImprovementShare as number).toBeGreaterThan(0.2);
  });

  it('reads a smooth fall over 8 evaluations as still improving: its bend is not noise (a Lightning log of 8 epochs)', () => {
    // val_loss 1.61, 0.876, 0.552, 0.416, 0.332, 0.286, 0.254, 0.230: first differences made this σ 0.11 and the tail's
    // 10 % fall "no more than its noise".
    const values = [1.61, 0.876, 0.552, 0.416, 0.332, 0.286, 0.254, 0.23];
    const epochs = values.map((_, e) => e);
    const run = { id: 'l', name: 'l', format: 'lightning_csv', series: [makeSeries('train_loss', 'loss', 'train', 'epoch', epochs, epochs, values.map((v) => v * 1.1)), makeSeries('val_loss', 'loss', 'val', 'epoch', epochs, epochs, values)] };
    const item = itemFor(run, 'not_converged');
    expect(item.status).toBe('warn');
    expect(item.title).toMatch(/^val_loss was still improving at the end/);
  });
});
