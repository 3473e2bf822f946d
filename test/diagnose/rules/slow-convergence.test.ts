import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('slow_convergence', () => {
  it.each(SCALES)('warns when half the progress comes only after the middle of the run (scale %s)', (scale) => {
    // Slow start (a long warm-up of nothing), then progress.
    const item = itemFor(makeRun({ scale, epochs: 30, train: (e) => 1 - 0.5 / (1 + Math.exp(-(e - 18) / 3)) }), 'slow_convergence');
    expect(item.status).toBe('warn');
    expect(Number(item.evidence.halfwayShare)).toBeGreaterThan(0.5);
  });

  it.each(SCALES)('passes a fast exponential descent (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 30, train: decay(1, 0.2, 3) }), 'slow_convergence').status).toBe('pass');
  });
});

describe('slow_convergence needs a descent to time', () => {
  it('passes a curve that moved 2 % in all, however late its halfway point (a high, flat, label-smoothed loss)', () => {
    const run = makeRun({ epochs: 10, train: (e) => 1.26 - 0.003 * e, val: (e) => 1.258 - 0.0033 * e * e / 10 });
    expect(itemFor(run, 'slow_convergence').status).toBe('pass');
  });
});
