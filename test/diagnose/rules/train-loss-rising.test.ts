import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('train_loss_rising', () => {
  it.each(SCALES)('warns when the loss climbs 40 %% above its best for a third of the run and then recovers (scale %s)', (scale) => {
    const d = decay(1, 0.2, 2);
    const train = (e: number) => (e < 10 ? d(e) : e < 20 ? d(10) * 1.4 : d(10) * 0.9);
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 30, epochs: 30, train }), 'train_loss_rising');
    expect(item.status).toBe('warn');
    expect(item.marks[0].kind).toBe('band');
    expect(Number(item.evidence.shareOfRun)).toBeGreaterThan(0.25);
  });

  it.each(SCALES)('passes a noisy step-level loss that flattens after converging (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 30, epochs: 30, train: decay(1, 0.2, 2), trainNoise: 0.3 }), 'train_loss_rising');
    expect(item.status).toBe('pass');
  });
});
