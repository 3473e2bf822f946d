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

  it('reads the gap between end levels (the median of the last evaluations), not between two last points', () => {
    // Training at 99 %, validation at 88 % for the last 10 epochs: an 11-point gap, whatever the very last evaluation
    // scored. A lucky last evaluation (93 %) does not hide it, an unlucky one (80 %) does not make it a fail.
    const run = (last: number) => {
      const r = makeRun({ epochs: 30, train: decay(1, 0.05, 4), trainAcc: () => 0.99, valAcc: () => 0.88 });
      const v = r.series.find((x) => x.name === 'val_accuracy')!.values;
      v[v.length - 1] = last;
      return itemFor(r, 'generalization_gap');
    };
    for (const last of [0.93, 0.8]) {
      const item = run(last);
      expect(item.status, String(last)).toBe('warn');
      expect(Number(item.evidence.gap), String(last)).toBeCloseTo(0.11, 1);
    }
  });
});
