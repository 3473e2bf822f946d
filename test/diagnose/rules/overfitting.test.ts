import { describe, expect, it } from 'vitest';
import { makeRun, decay, turnsUp, SCALES, makeSeries } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('overfitting', () => {
  it.each(SCALES)('fails when val loss turns up after epoch 12 while train keeps falling, with the what-if and marks (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 30, stepsPerEpoch: 20, train: decay(1, 0.05, 6), val: turnsUp(1.1, 0.3, 4, 12, 0.04), valNoise: 0.01 });
    const item = itemFor(run, 'overfitting');
    expect(item.status).toBe('fail');
    expect(item.evidence.onsetEpoch).toBeGreaterThanOrEqual(11);
    expect(item.evidence.onsetEpoch).toBeLessThanOrEqual(13);
    const w = item.evidence.whatIf as { stopAt: number; savedShare: number; text: string };
    expect(w.stopAt).toBeGreaterThan(Number(item.evidence.onsetEpoch));
    expect(w.savedShare).toBeGreaterThan(0.3);
    expect(w.text).toMatch(/early stopping with patience 3 would have stopped at epoch \d+ and saved \d+ % of the epochs/);
    expect(item.marks.map((m) => m.kind).sort()).toEqual(['band', 'line', 'point']);
    expect(item.marks.every((m) => m.series === 'val_loss')).toBe(true);
  });

  it('honours the direction of a validation metric when no val loss is logged', () => {
    const run = makeRun({ epochs: 30, trainAcc: (e) => 0.6 + 0.39 * (1 - Math.exp(-e / 6)), valAcc: (e) => (e <= 10 ? 0.6 + 0.25 * (1 - Math.exp(-e / 3)) : 0.6 + 0.25 * (1 - Math.exp(-10 / 3)) - 0.01 * (e - 10)) });
    expect(itemFor(run, 'overfitting').status).toBe('fail');
  });

  it.each(SCALES)('passes a noisy val loss whose best is at the end, and a val loss that starts huge and falls (scale %s)', (scale) => {
    const noisy = makeRun({ scale, epochs: 30, train: decay(1, 0.2, 5), val: decay(1.1, 0.3, 6), valNoise: 0.05 });
    expect(itemFor(noisy, 'overfitting').status).toBe('pass');
    const huge = makeRun({ scale, epochs: 12, train: decay(0.8, 0.25, 4) });
    const vals = [2213, 56, 15, 1.8, 1.08, 0.65, 0.64, 0.45, 0.44, 0.43, 0.42, 0.42].map((v) => v * scale);
    huge.series.push(makeSeries('val_loss', 'loss', 'val', 'epoch', vals.map((_, i) => i), vals.map((_, i) => i), vals));
    expect(itemFor(huge, 'overfitting').status).toBe('pass');
  });
});
