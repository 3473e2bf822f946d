import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('label_noise', () => {
  it('fails at 12 % likely label errors', () => {
    expect(itemFor(run, 'label_noise', { dataset: { trainSize: 1000, likelyLabelErrors: 120 } }).status).toBe('fail');
  });
  it('passes 1 % and is unknown without the count', () => {
    expect(itemFor(run, 'label_noise', { dataset: { trainSize: 1000, likelyLabelErrors: 10 } }).status).toBe('pass');
    expect(itemFor(run, 'label_noise').status).toBe('unknown');
  });
});
