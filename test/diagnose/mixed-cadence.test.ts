import { describe, expect, it } from 'vitest';
import { makeSeries, SCALES } from '../support/synthetic-runs.ts';
import { itemFor } from '../support/verdict-item.ts';
import type { DiagnoseRunInput } from '../../src/diagnose/index.ts';

/**
 * A training job logs its epoch curves at x = epoch number (val_loss @1…5) and its batch loss at x = batch number
 * (batch_loss @1…250, epochs 0.02…5): comparing them at equal x would read batch 3 as epoch 3.
 */
function jobRun(scale: number, batch: (e: number) => number, val: (e: number) => number, epochs = 5, spe = 50): DiagnoseRunInput {
  const steps = Array.from({ length: epochs * spe }, (_, i) => i + 1);
  const bEpochs = steps.map((s) => s / spe);
  const eps = Array.from({ length: epochs }, (_, i) => i + 1);
  return {
    id: 'job', name: 'job', format: 'tfjs_job',
    series: [
      makeSeries('batch_loss', 'loss', 'train', 'step', steps, bEpochs, bEpochs.map((e, i) => scale * batch(e) * (1 + 0.03 * Math.sin(i * 1.7)))),
      makeSeries('val_loss', 'loss', 'val', 'epoch', eps, eps, eps.map((e) => scale * val(e))),
    ],
  };
}

describe('epoch-level validation beside a step-level training loss is compared at the same epoch', () => {
  it.each(SCALES)('look-alike: a blow-up in the first batches is not "training keeps falling" later (scale %s)', (scale) => {
    // The batch loss is 40× up in the first tenth of epoch 1, then flat; val_loss drifts up a little from epoch 1.
    const run = jobRun(scale, (e) => (e < 0.1 ? 40 : 1), (e) => 0.97 + 0.025 * e);
    expect(itemFor(run, 'overfitting').status).toBe('pass');
    expect(itemFor(run, 'val_better_than_train').status).toBe('pass');
  });

  it.each(SCALES)('still fails overfitting when the batch loss keeps falling while val_loss rises (scale %s)', (scale) => {
    const run = jobRun(scale, (e) => Math.exp(-0.6 * e), (e) => 0.5 + 0.08 * (e - 1) ** 2, 8);
    expect(itemFor(run, 'overfitting').status).toBe('fail');
  });
});

describe('the training loss a view judges', () => {
  it("prefers the epoch's own value to one batch's shown once an epoch (a Lightning console's `train_loss_step`), at equal points", async () => {
    const { buildView } = await import('../../src/diagnose/signals/view.ts');
    const e = Array.from({ length: 20 }, (_, i) => i);
    const oneBatch = makeSeries('train_loss_step', 'loss', 'train', 'epoch', e, e, e.map((i) => (i % 2 ? 0.9 : 0.3)));
    const epochMean = makeSeries('train_loss_epoch', 'loss', 'train', 'epoch', e, e, e.map((i) => 1 / (1 + i)));
    expect(buildView([oneBatch, epochMean]).trainLoss!.name).toBe('train_loss_epoch');
    // With more points the batch series is a real step-level curve (smoothed by the view): it stays the one judged.
    const s = Array.from({ length: 200 }, (_, i) => i);
    const stepLevel = makeSeries('train_loss_step', 'loss', 'train', 'step', s, s.map((i) => i / 10), s.map((i) => 1 / (1 + i / 10)));
    expect(buildView([stepLevel, epochMean]).trainLoss!.name).toBe('train_loss_step');
  });
});
