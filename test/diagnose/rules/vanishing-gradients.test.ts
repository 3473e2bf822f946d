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
  it('names dead ReLUs as the cause when the starved first layer sits behind a dead layer, and says no gradient plainly', () => {
    const gradNorms = { conv1: [0.4, 0, 0], conv2: [0.5, 0, 0], out: [1, 0.19, 0.19] };
    const item = itemFor(run, 'vanishing_gradients', { instrumentation: { gradNorms, deadReluFraction: { conv1_relu: [0.5, 0.9, 0.97], conv2_relu: [0.6, 1, 1] } } });
    expect(item.status).toBe('warn');
    expect(item.title).toMatch(/^Layer conv1 gets no gradient: 100 % of the units in conv2_relu are dead/);
    expect(item.evidence.deferredTo).toBe('dead_relu');
    // Look-alike: the same starved layer with live ReLUs is a depth problem and still fails, worded without "of out".
    const live = itemFor(run, 'vanishing_gradients', { instrumentation: { gradNorms, deadReluFraction: { conv1_relu: [0.01, 0.02, 0.02] } } });
    expect(live.status).toBe('fail');
    expect(live.title).toBe('Layer conv1 gets no gradient (out gets 0.19)');
  });
});
