import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('label_conflicts', () => {
  it('fails at 3 % conflicting examples', () => {
    expect(itemFor(run, 'label_conflicts', { dataset: { trainSize: 1000, labelConflicts: 30 } }).status).toBe('fail');
  });
  it('passes none and is unknown without the count', () => {
    expect(itemFor(run, 'label_conflicts', { dataset: { trainSize: 1000, labelConflicts: 0 } }).status).toBe('pass');
    expect(itemFor(run, 'label_conflicts').status).toBe('unknown');
  });
});
