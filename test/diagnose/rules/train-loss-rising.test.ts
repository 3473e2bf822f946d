import { describe, expect, it } from 'vitest';
import { makeRun, makeSeries, decay, SCALES } from '../../support/synthetic-runs.ts';
import { seededRng } from '../../support/seeded-rng.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('train_loss_rising', () => {
  it.each(SCALES)('warns when the loss climbs 40 %% above its best for a third of the run and then recovers (scale %s)', (scale) => {
    const d = decay(1, 0.2, 2);
    const train = (e: number) => (e < 10 ? d(e) : e < 20 ? d(10) * 1.4 : d(10) * 0.9);
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 30, epochs: 30, train }), 'train_loss_rising');
    expect(item.status).toBe('warn');
    expect(item.marks[0].kind).toBe('band');
    expect(Number(item.evidence.shareOfRun)).toBeGreaterThan(0.25);
  });

  it.each(SCALES)('passes a noisy step-level loss that flattens after converging (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 30, epochs: 30, train: decay(1, 0.2, 2), trainNoise: 0.3 }), 'train_loss_rising');
    expect(item.status).toBe('pass');
  });

  it('judges the rise on the per-epoch training loss when the log has one beside a noisy step-level loss (Lightning train_loss_step and train_loss_epoch)', () => {
    // The epoch means climb 1.45x above their best for 6 of 30 epochs and come back; the batch losses scatter +-60 %,
    // so a running median of them carries that scatter in its running best and never clears its own noise for long.
    const rng = seededRng(5);
    const epochs = 30;
    const perEpoch = 40;
    const d = decay(1, 0.2, 2);
    const level = (e: number) => (e >= 14 && e < 20 ? d(14) * 1.45 : d(e));
    const steps = Array.from({ length: epochs * perEpoch }, (_, i) => i + 1);
    const stepSeries = makeSeries('train_loss_step', 'loss', 'train', 'step', steps, steps.map((s) => (s - 1) / perEpoch), steps.map((s) => level(Math.floor((s - 1) / perEpoch)) * Math.exp(0.6 * rng.gauss())));
    const epochNums = Array.from({ length: epochs }, (_, e) => e);
    const epochSeries = makeSeries('train_loss_epoch', 'loss', 'train', 'epoch', epochNums.map((e) => (e + 1) * perEpoch), epochNums, epochNums.map((e) => level(e) * (1 + 0.01 * rng.gauss())));
    const item = itemFor(makeRun({ epochs, extra: [stepSeries, epochSeries] }), 'train_loss_rising');
    expect(item.status).toBe('warn');
    expect(item.evidence.series).toBe('train_loss_epoch');
    expect(item.evidence.fromEpoch).toBe(14);
  });
});
