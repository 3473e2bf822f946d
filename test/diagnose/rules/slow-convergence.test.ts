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

  it('does not call a late 10 % fall slow convergence: too little progress to be slow about (the corpus definition wants ≥ 18 %)', () => {
    const run = makeRun({ epochs: 30, train: (e) => 1 - 0.1 / (1 + Math.exp(-(e - 18) / 2)) });
    const item = itemFor(run, 'slow_convergence');
    expect(item.status).toBe('pass');
    expect(item.title).toMatch(/moved too little in all/);
  });

  it('still lets lr_too_low read a small, steady, unfinished fall as a rate too low', () => {
    const run = makeRun({ epochs: 30, train: (e) => 1 - 0.12 * (e / 29) ** 2 });
    expect(itemFor(run, 'slow_convergence').status).toBe('pass');
    const low = itemFor(run, 'lr_too_low');
    expect(low.status).toBe('warn');
    expect(low.marks.some((m) => m.label === 'halfway')).toBe(true);
  });
});
