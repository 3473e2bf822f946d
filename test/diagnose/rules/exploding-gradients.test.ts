import { describe, expect, it } from 'vitest';
import { makeRun, decay, makeSeries } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('exploding_gradients', () => {
  it('fails when per-layer gradient norms grow 1000× (instrumentation)', () => {
    const grow = Array.from({ length: 10 }, (_, e) => 0.5 * 10 ** (e / 3));
    expect(itemFor(run, 'exploding_gradients', { instrumentation: { gradNorms: { dense1: grow, dense2: grow.map((g) => g / 2) } } }).status).toBe('fail');
  });
  it('fails when a logged grad_norm series ends non-finite, warns on a rare NaN', () => {
    const vals = Array.from({ length: 100 }, () => 1);
    const ending = makeRun({ epochs: 10, train: decay(1, 0.1, 3), extra: [makeSeries('grad_norm', 'grad_norm', 'train', 'step', vals.map((_, i) => i), null, [...vals.slice(0, 99), NaN])] });
    expect(itemFor(ending, 'exploding_gradients').status).toBe('fail');
    const rare = makeRun({ epochs: 10, train: decay(1, 0.1, 3), extra: [makeSeries('grad_norm', 'grad_norm', 'train', 'step', vals.map((_, i) => i), null, vals.map((v, i) => (i === 40 ? NaN : v)))] });
    expect(itemFor(rare, 'exploding_gradients').status).toBe('warn');
  });
  it('passes one NaN norm in a thousand steps with a finite end: a mixed-precision loss scaler skipping a step', () => {
    const vals = Array.from({ length: 1000 }, () => 1);
    const scaler = makeRun({ epochs: 10, train: decay(1, 0.1, 3), extra: [makeSeries('grad_norm', 'grad_norm', 'train', 'step', vals.map((_, i) => i), null, vals.map((v, i) => (i === 400 ? NaN : v)))] });
    const item = itemFor(scaler, 'exploding_gradients');
    expect(item.status).toBe('pass');
    expect(item.title).toMatch(/loss scaler/);
  });
  it('passes bounded norms and is unknown without any', () => {
    expect(itemFor(run, 'exploding_gradients', { instrumentation: { gradNorms: { dense1: [1, 0.8, 0.9, 0.7, 0.8, 0.75] } } }).status).toBe('pass');
    expect(itemFor(run, 'exploding_gradients').status).toBe('unknown');
  });
  it('a norm that grows 30× while the loss keeps falling passes; the same growth beside a flat loss warns', () => {
    const steps = Array.from({ length: 100 }, (_, i) => i);
    const norms = steps.map((i) => 0.1 * 30 ** (i / 99));
    const gn = makeSeries('grad_norm', 'grad_norm', 'train', 'step', steps, null, norms);
    const fitting = itemFor(makeRun({ epochs: 10, train: decay(1, 0.1, 3), extra: [gn] }), 'exploding_gradients');
    expect(fitting.status).toBe('pass');
    expect(fitting.title).toMatch(/grew \d+× while the training loss kept falling/);
    const flat = itemFor(makeRun({ epochs: 10, train: () => 1, extra: [gn] }), 'exploding_gradients');
    expect(flat.status).toBe('warn');
    expect(flat.title).toMatch(/stopped falling/);
  });
});
