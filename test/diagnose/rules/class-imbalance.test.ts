import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('class_imbalance', () => {
  it('fails at 20:1 and reports the majority-class accuracy', () => {
    const item = itemFor(run, 'class_imbalance', { dataset: { classCounts: { cat: 1000, dog: 50 } } });
    expect(item.status).toBe('fail');
    expect(item.evidence.majorityShare).toBeCloseTo(0.952, 3);
  });
  it('passes 500:480 and is unknown without counts', () => {
    expect(itemFor(run, 'class_imbalance', { dataset: { classCounts: { cat: 500, dog: 480 } } }).status).toBe('pass');
    expect(itemFor(run, 'class_imbalance').status).toBe('unknown');
  });
});
