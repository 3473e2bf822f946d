import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('generalization_gap', () => {
  it("fails on the seed's 95 % train vs 65 % validation accuracy", () => {
    const run = makeRun({ epochs: 20, train: decay(1, 0.1, 4), val: decay(1, 0.9, 4), trainAcc: (e) => 0.95 - 0.4 * Math.exp(-e / 4), valAcc: (e) => 0.65 - 0.1 * Math.exp(-e / 4) });
    const item = itemFor(run, 'generalization_gap');
    expect(item.status).toBe('fail');
    expect(Number(item.evidence.gap)).toBeCloseTo(0.3, 1);
  });

  it('passes a 2-point gap and is unknown without accuracies', () => {
    const run = makeRun({ epochs: 20, train: decay(1, 0.1, 4), trainAcc: () => 0.95, valAcc: () => 0.93 });
    expect(itemFor(run, 'generalization_gap').status).toBe('pass');
    expect(itemFor(makeRun({ epochs: 20, train: decay(1, 0.1, 4) }), 'generalization_gap').status).toBe('unknown');
  });
});
