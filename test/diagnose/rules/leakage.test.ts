import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('leakage', () => {
  it('fails when 5 % of validation is in training', () => {
    expect(itemFor(run, 'leakage', { dataset: { valSize: 1000, trainValOverlap: 50 } }).status).toBe('fail');
  });
  it('passes no overlap and is unknown without the validation size', () => {
    expect(itemFor(run, 'leakage', { dataset: { valSize: 1000, trainValOverlap: 0 } }).status).toBe('pass');
    expect(itemFor(run, 'leakage', { dataset: { trainValOverlap: 3 } }).status).toBe('unknown');
  });
});
