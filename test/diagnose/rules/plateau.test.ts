import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('plateau', () => {
  it.each(SCALES)('fails when train and val losses barely move from epoch 1 (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 20, stepsPerEpoch: 30, train: decay(0.9, 0.82, 0.5), val: decay(0.85, 0.82, 0.5), trainAcc: () => 0.63, valAcc: () => 0.63 });
    const item = itemFor(run, 'plateau');
    expect(item.status).toBe('fail');
    expect(item.marks[0].kind).toBe('band');
  });

  it.each(SCALES)('passes a high, nearly flat val loss while val accuracy keeps improving (label smoothing) (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 10, stepsPerEpoch: 40, train: decay(1.9, 0.7, 0.5), trainNoise: 0.12, val: (e) => 1.26 - 0.003 * e, valAcc: (e) => 0.97 + 0.0015 * e });
    expect(itemFor(run, 'plateau').status).toBe('pass');
  });

  it.each(SCALES)('passes a loss that converged after a 100× drop (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 40, stepsPerEpoch: 25, train: decay(4, 0.02, 1.5) }), 'plateau').status).toBe('pass');
  });
});
