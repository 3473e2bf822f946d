import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('duplicates', () => {
  it('fails at 15 % duplicates', () => {
    expect(itemFor(run, 'duplicates', { dataset: { trainSize: 1000, duplicates: 150 } }).status).toBe('fail');
  });
  it('passes 0.1 % and is unknown without the count', () => {
    expect(itemFor(run, 'duplicates', { dataset: { trainSize: 1000, duplicates: 1 } }).status).toBe('pass');
    expect(itemFor(run, 'duplicates', { dataset: { trainSize: 1000 } }).status).toBe('unknown');
  });
});
