import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('label_noise', () => {
  it('fails at 12 % likely label errors', () => {
    expect(itemFor(run, 'label_noise', { dataset: { trainSize: 1000, likelyLabelErrors: 120 } }).status).toBe('fail');
  });
  it('passes 1 %, and is unknown without the count on a run with no validation to compare with', () => {
    expect(itemFor(run, 'label_noise', { dataset: { trainSize: 1000, likelyLabelErrors: 10 } }).status).toBe('pass');
    const trainOnly = makeRun({ epochs: 10, train: decay(1, 0.1, 3), trainAcc: () => 0.9 });
    expect(itemFor(trainOnly, 'label_noise').status).toBe('unknown');
  });
});

describe('label_noise read from the curves', () => {
  it('warns when training accuracy stays far below validation accuracy (noisy training labels, clean validation)', () => {
    // 30 % of training labels flipped: training accuracy tops out near 0.7 while validation reaches 0.95.
    const noisy = makeRun({ epochs: 20, train: decay(2.3, 1.3, 3), val: decay(2.3, 0.2, 3), trainAcc: (e) => 0.7 - 0.5 * Math.exp(-e / 3), valAcc: (e) => 0.95 - 0.7 * Math.exp(-e / 3) });
    const item = itemFor(noisy, 'label_noise');
    expect(item.status).toBe('warn');
    expect(item.evidence).toMatchObject({ from: 'curves', kind: 'accuracy' });
    expect(Number(item.evidence.margin)).toBeGreaterThan(0.2);
    // The title's numbers add up: the gap it states is the difference of the two levels it shows.
    const m = /stays (\d+) points below val_accuracy \(medians (\d+) % vs (\d+) %\)/.exec(item.title);
    expect(m, item.title).not.toBeNull();
    expect(Number(m![3]) - Number(m![2])).toBe(Number(m![1]));
  });
  it('passes the few points dropout takes off training accuracy, and an ordinary gap the other way', () => {
    const dropout = makeRun({ epochs: 20, train: decay(2.3, 0.3, 3), val: decay(2.3, 0.22, 3), trainAcc: (e) => 0.92 - 0.6 * Math.exp(-e / 3), valAcc: (e) => 0.95 - 0.6 * Math.exp(-e / 3) });
    expect(itemFor(dropout, 'label_noise').status).toBe('pass');
    const ordinary = makeRun({ epochs: 20, train: decay(2.3, 0.05, 3), val: decay(2.3, 0.3, 3), trainAcc: (e) => 0.99 - 0.6 * Math.exp(-e / 3), valAcc: (e) => 0.9 - 0.6 * Math.exp(-e / 3) });
    expect(itemFor(ordinary, 'label_noise').status).toBe('pass');
  });

  it('reads a short run of 4 evaluations: training accuracy 25 points below validation on both late ones', () => {
    const short = makeRun({ epochs: 4, train: decay(2.3, 1.3, 1), val: decay(2.3, 0.3, 1), trainAcc: (e) => 0.65 - 0.3 * Math.exp(-e), valAcc: (e) => 0.9 - 0.5 * Math.exp(-e) });
    expect(itemFor(short, 'label_noise').status).toBe('warn');
  });
});
