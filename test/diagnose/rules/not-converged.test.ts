import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('not_converged', () => {
  it.each(SCALES)('warns when val loss is still falling at the end and estimates the epochs per 1 %% (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 10, train: decay(4.8, 2.5, 8), val: decay(4.1, 2.5, 8) });
    const item = itemFor(run, 'not_converged');
    expect(item.status).toBe('warn');
    expect(item.fix).toMatch(/Give it more epochs/);
    // Tail slope ≈ 2–3 % per epoch here, so the next 1 % is about one epoch away.
    expect(item.evidence.moreForNextPercent).toBeGreaterThanOrEqual(1);
    expect(item.evidence.moreForNextPercent).toBeLessThanOrEqual(2);
  });

  it.each(SCALES)('passes a curve that flattened long before the end (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 40, train: decay(1, 0.2, 3), val: decay(1.1, 0.3, 3) });
    expect(itemFor(run, 'not_converged').status).toBe('pass');
  });
});
