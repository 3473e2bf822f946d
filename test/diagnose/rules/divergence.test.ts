import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES, makeSeries } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('divergence', () => {
  it.each(SCALES)('fails when the step-level train loss bottoms out and climbs ×4 for good (scale %s)', (scale) => {
    const d = decay(1, 0.1, 2);
    const train = (e: number) => (e < 8 ? d(e) : d(8) * (1 + 0.5 * (e - 8)));
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 40, epochs: 20, train }), 'divergence');
    expect(item.status).toBe('fail');
    expect(item.marks.map((m) => m.kind)).toEqual(['point', 'line']);
    expect(item.evidence.minEpoch).toBeGreaterThan(6);
    expect(item.evidence.minEpoch).toBeLessThan(10);
  });

  it.each(SCALES)('passes a val loss that starts 5000× too high and falls, with a healthy noisy train loss (scale %s)', (scale) => {
    const run = makeRun({ scale, stepsPerEpoch: 40, epochs: 12, train: decay(1, 0.3, 3), trainNoise: 0.3 });
    const vals = [5000, 120, 30, 4, 2, 1.3, 1, 0.9, 0.85, 0.95, 1, 0.92].map((v) => v * 0.5 * scale);
    run.series.push(makeSeries('val_loss', 'loss', 'val', 'epoch', vals.map((_, i) => (i + 1) * 40), vals.map((_, i) => i), vals));
    expect(itemFor(run, 'divergence').status).toBe('pass');
    expect(itemFor(run, 'train_loss_rising').status).toBe('pass');
  });
});
