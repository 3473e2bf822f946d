import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('saturation', () => {
  it('warns at 30 % saturated sigmoid units', () => {
    expect(itemFor(run, 'saturation', { instrumentation: { saturatedFraction: { lstm: [0.1, 0.2, 0.3] } } }).status).toBe('warn');
  });
  it('passes 2 % and is unknown without instrumentation', () => {
    expect(itemFor(run, 'saturation', { instrumentation: { saturatedFraction: { lstm: [0.02] } } }).status).toBe('pass');
    expect(itemFor(run, 'saturation').status).toBe('unknown');
  });
});
