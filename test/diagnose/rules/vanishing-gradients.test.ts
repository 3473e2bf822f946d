import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('vanishing_gradients', () => {
  it('fails when the first layer gets 1e-6 of the last layer gradient', () => {
    const item = itemFor(run, 'vanishing_gradients', { instrumentation: { gradNorms: { conv1: [1e-6, 1e-6, 1e-6], dense_out: [1, 1, 1] } } });
    expect(item.status).toBe('fail');
    expect(item.evidence.firstLayer).toBe('conv1');
  });
  it('says the network stopped learning, not that gradients vanish with depth, when no layer gets any', () => {
    const item = itemFor(run, 'vanishing_gradients', { instrumentation: { gradNorms: { dense1: [0.5, 0, 0], out: [0.9, 0, 0] } } });
    expect(item.status).toBe('fail');
    expect(item.title).toMatch(/No layer gets a gradient any more/);
  });
  it('passes comparable norms and is unknown with fewer than two layers', () => {
    expect(itemFor(run, 'vanishing_gradients', { instrumentation: { gradNorms: { conv1: [0.3, 0.2, 0.25], dense_out: [1, 1, 1] } } }).status).toBe('pass');
    expect(itemFor(run, 'vanishing_gradients', { instrumentation: { gradNorms: { only: [1] } } }).status).toBe('unknown');
  });
});
