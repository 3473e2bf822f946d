import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('no_validation', () => {
  it('warns on a train-only run', () => {
    expect(itemFor(makeRun({ epochs: 10, train: decay(1, 0.1, 3), trainAcc: () => 0.9 }), 'no_validation').status).toBe('warn');
  });
  it('passes when any validation series is logged', () => {
    expect(itemFor(makeRun({ epochs: 10, train: decay(1, 0.1, 3), valAcc: () => 0.9 }), 'no_validation').status).toBe('pass');
  });
});
