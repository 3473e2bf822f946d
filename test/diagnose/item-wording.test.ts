import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/index.ts';
import { makeRun, makeSeries, decay } from '../support/synthetic-runs.ts';
import { itemFor } from '../support/verdict-item.ts';

/** The curl example: two points of loss and val_loss. */
const twoPoints = {
  id: 'r', name: 'shell-run', format: 'push',
  series: [
    makeSeries('loss', 'loss', 'train', 'epoch', [0, 1], [0, 1], [2.3, 1.2]),
    makeSeries('val_loss', 'loss', 'val', 'epoch', [0, 1], [0, 1], [2.31, 1.35]),
  ],
};

describe('unknown items say exactly what is missing', () => {
  it('a short curve is "too few points (n, needs N)", not "no curve"', () => {
    expect(itemFor(twoPoints, 'underfitting').title).toBe('Too few training points to judge underfitting (loss has 2, needs 5)');
    expect(itemFor(twoPoints, 'early_stopping_missing').title).toBe('Too few validation points to judge early stopping (val_loss has 2, needs 5)');
    expect(itemFor(twoPoints, 'slow_convergence').title).toMatch(/\(val_loss has 2, needs 6\)/);
    expect(itemFor(twoPoints, 'lr_too_low').title).toMatch(/^Cannot judge the learning rate from the curve: too few points .*has 2, needs 6/);
  });

  it('every unknown item says what it needs once, in a full sentence, and asks for the class count on every face', () => {
    for (const item of diagnose(twoPoints).items.filter((i) => i.status === 'unknown')) {
      expect(item.fix, item.id).toMatch(/^[A-Z].*\.$/);
      expect(Object.values(item.evidence), item.id).not.toContain(item.fix);
      expect(item.fix, item.id).not.toMatch(/^Pass --classes|\(--classes K\)/);
    }
    expect(itemFor(twoPoints, 'stuck_at_chance').fix).toMatch(/CLI --classes, API `classes`/);
  });
});

describe('checks read the curve they can use', () => {
  // A training job: 5 evaluations beside 250 logged batches.
  const job = makeRun({ epochs: 5, stepsPerEpoch: 50, train: decay(1, 0.2, 1), val: decay(1.05, 0.25, 1), trainNoise: 0.05 });

  it('slow_convergence and lr_too_low use the batch loss when the validation curve is too short', () => {
    expect(itemFor(job, 'slow_convergence').status).not.toBe('unknown');
    expect(itemFor(job, 'slow_convergence').evidence.series).toBe('loss');
    expect(itemFor(job, 'lr_too_low').status).not.toBe('unknown');
  });

  it('look-alike: with too few points everywhere they stay unknown', () => {
    expect(itemFor(twoPoints, 'slow_convergence').status).toBe('unknown');
  });

  it('an instrumented model without sigmoid/tanh (or ReLU) layers passes saturation (dead_relu) instead of asking for instrumentation', () => {
    const ctx = { instrumentation: { saturatedFraction: {}, deadReluFraction: {} } };
    const sat = itemFor(job, 'saturation', ctx);
    expect(sat.status).toBe('pass');
    expect(sat.title).toMatch(/No sigmoid\/tanh hidden layers to check/);
    expect(itemFor(job, 'dead_relu', ctx).title).toMatch(/No ReLU layers to check/);
    // Look-alike: no instrumentation at all is still unknown.
    expect(itemFor(job, 'saturation').status).toBe('unknown');
  });

  it('slow_convergence does not claim "no progress" beside a plateau verdict', () => {
    const flat = makeRun({ epochs: 30, train: () => 1, val: () => 1.1 });
    expect(itemFor(flat, 'slow_convergence').title).not.toMatch(/no measurable progress/);
  });

  it('generalization_gap says "1 point", not "1 points"', () => {
    const run = makeRun({ epochs: 20, train: decay(1, 0.2, 4), val: decay(1, 0.22, 4), trainAcc: () => 0.91, valAcc: () => 0.9 });
    const item = itemFor(run, 'generalization_gap');
    expect(Math.round((item.evidence.gap as number) * 100)).toBe(1);
    expect(item.title).toMatch(/gap is 1 point$/);
    expect(item.title).not.toMatch(/\b1 points\b/);
  });
});
