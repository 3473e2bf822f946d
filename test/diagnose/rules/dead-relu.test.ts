import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('dead_relu', () => {
  it('fails when 60 % of a layer is dead at the last epoch', () => {
    const item = itemFor(run, 'dead_relu', { instrumentation: { deadReluFraction: { dense1: [0.05, 0.3, 0.6], dense2: [0, 0.01, 0.02] } } });
    expect(item.status).toBe('fail');
    expect(item.evidence.worstLayer).toBe('dense1');
  });
  it('passes 5 % dead units (it recovered) and is unknown without instrumentation', () => {
    expect(itemFor(run, 'dead_relu', { instrumentation: { deadReluFraction: { dense1: [0.6, 0.2, 0.05] } } }).status).toBe('pass');
    expect(itemFor(run, 'dead_relu').status).toBe('unknown');
  });
});
