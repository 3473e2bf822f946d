import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('too_little_data', () => {
  it('fails with 60 examples, and with 5 examples in the smallest class', () => {
    expect(itemFor(run, 'too_little_data', { dataset: { trainSize: 60 } }).status).toBe('fail');
    expect(itemFor(run, 'too_little_data', { dataset: { classCounts: { a: 5000, b: 5 } } }).status).toBe('fail');
  });
  it('passes 50 000 balanced examples and is unknown without a size', () => {
    expect(itemFor(run, 'too_little_data', { dataset: { classCounts: { a: 25000, b: 25000 } } }).status).toBe('pass');
    expect(itemFor(run, 'too_little_data').status).toBe('unknown');
  });
});
