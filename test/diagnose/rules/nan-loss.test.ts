import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('nan_loss', () => {
  it.each(SCALES)('fails when the step-level loss turns NaN mid-run (scale %s)', (scale) => {
    const run = makeRun({ scale, stepsPerEpoch: 50, epochs: 10, train: (e) => (e >= 6 ? NaN : decay(2, 0.5, 2)(e)), val: decay(2, 0.6, 2) });
    const item = itemFor(run, 'nan_loss');
    expect(item.status).toBe('fail');
    expect(item.evidence.firstEpoch).toBe(6);
    expect(item.marks[0]).toMatchObject({ series: 'loss', step: 301, kind: 'line' });
  });

  it('passes a huge but finite spike and a NaN in a non-loss metric', () => {
    const run = makeRun({ stepsPerEpoch: 50, epochs: 10, train: (e) => (Math.abs(e - 5) < 0.01 ? 1e6 : decay(2, 0.5, 2)(e)), val: decay(2, 0.6, 2), valAcc: (e) => (e === 3 ? NaN : 0.8) });
    expect(itemFor(run, 'nan_loss').status).toBe('pass');
  });
});
