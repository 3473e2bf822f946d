import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('lr_too_high', () => {
  it.each(SCALES)('fails when the loss makes no progress at the first lr and falls as soon as lr is cut (scale %s)', (scale) => {
    const train = (e: number) => (e < 5 ? 1 : 0.45 + 0.1 * Math.exp(-(e - 5)));
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 20, epochs: 12, train, lr: (e) => (e < 5 ? 20 : 5) }), 'lr_too_high');
    expect(item.status).toBe('fail');
    expect(item.evidence).toMatchObject({ learningRateBefore: 20, learningRateAfter: 5 });
  });

  it.each(SCALES)('fails when the loss rises from the very start (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 20, epochs: 10, train: (e) => 1 + 0.2 * e }), 'lr_too_high');
    expect(item.status).toBe('fail');
  });

  it.each(SCALES)('passes a healthy step schedule: progress before the cut, a further drop after it (scale %s)', (scale) => {
    const d = decay(1, 0.5, 2);
    const train = (e: number) => (e < 6 ? d(e) : d(6) * 0.7);
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 20, epochs: 12, train, lr: (e) => (e < 6 ? 0.1 : 0.01) }), 'lr_too_high');
    expect(item.status).toBe('pass');
  });

  it('uses the update/weight ratio from instrumentation: 0.2 fails, 1e-3 passes', () => {
    const run = makeRun({ epochs: 10, train: decay(1, 0.2, 3) });
    const item = itemFor(run, 'lr_too_high', { instrumentation: { updateRatio: [0.2, 0.25, 0.18] } });
    expect(item.status).toBe('fail');
    expect(item.evidence.updateRatioMedian).toBe(0.2);
    expect(itemFor(run, 'lr_too_high', { instrumentation: { updateRatio: [1e-3, 2e-3, 1e-3] } }).status).toBe('pass');
  });

  it('quotes the cut as a number only while it is plausible: a ratio of 12.8 (weights already blowing up) says "100× or more"', () => {
    const run = makeRun({ epochs: 10, train: decay(1, 0.2, 3) });
    const moderate = itemFor(run, 'lr_too_high', { instrumentation: { updateRatio: [0.2, 0.25, 0.18] } });
    expect(moderate.fix).toMatch(/about 20×/);
    const huge = itemFor(run, 'lr_too_high', { instrumentation: { updateRatio: [12.8, 12.8, 12.8] } });
    expect(huge.fix).toMatch(/by 100× or more/);
    expect(huge.fix).not.toMatch(/about \d+×/);
    expect(huge.fix).toContain("12800× the healthy size");
  });
});
