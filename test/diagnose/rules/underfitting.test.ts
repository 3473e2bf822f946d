import { littleOrNo } from '../../../src/diagnose/rules/underfitting.ts';
import { describe, expect, it } from 'vitest';
import { makeRun, makeSeries, decay, SCALES } from '../../support/synthetic-runs.ts';
import { seededRng } from '../../support/seeded-rng.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('underfitting', () => {
  it.each(SCALES)('warns when training stalls with little progress and validation tracks it (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 20, train: decay(0.88, 0.82, 0.7), val: decay(0.83, 0.815, 0.7), trainAcc: () => 0.63, valAcc: () => 0.63 });
    const item = itemFor(run, 'underfitting');
    expect(item.status).toBe('warn');
    // 0.88 → 0.82 is some progress: the title says "little", not "no"; a curve flat from its first point says "no".
    expect(item.title).toMatch(/made little progress after the start/);
    const flat = makeRun({ scale, epochs: 20, train: () => 0.82, val: () => 0.815, trainAcc: () => 0.63, valAcc: () => 0.63 });
    expect(itemFor(flat, 'underfitting').title).toMatch(/made no progress after the start/);
  });

  it('judges the stall on the per-epoch training loss when the log has one beside a noisy step-level loss (Lightning\'s train_loss_step and train_loss_epoch)', () => {
    // One hidden unit: flat at 1.12 from the second epoch, validation level with it; the batch losses scatter ±25 %.
    const rng = seededRng(3);
    const epochs = 29;
    const perEpoch = 60;
    const steps = Array.from({ length: epochs * perEpoch }, (_, i) => i + 1);
    const level = (e: number) => 1.12 + 0.2 * Math.exp(-3 * e);
    const stepSeries = makeSeries('train_loss_step', 'loss', 'train', 'step', steps, steps.map((s) => (s - 1) / perEpoch), steps.map((s) => level((s - 1) / perEpoch) * Math.exp(0.25 * rng.gauss())));
    const epochNums = Array.from({ length: epochs }, (_, e) => e);
    const epochSteps = epochNums.map((e) => (e + 1) * perEpoch);
    const epochSeries = makeSeries('train_loss_epoch', 'loss', 'train', 'epoch', epochSteps, epochNums, epochNums.map((e) => level(e + 0.5) * (1 + 0.002 * rng.gauss())));
    const run = makeRun({ epochs, val: (e) => 1.155 + 0.03 * Math.exp(-3 * e), valNoise: 0.003, valAcc: () => 0.44, extra: [stepSeries, epochSeries] });
    expect(itemFor(run, 'underfitting').status).toBe('warn');
  });

  describe('a model too small to fit, creeping without ever standing still', () => {
    // A 4-unit MLP on MNIST: epoch means 2.10, 1.90, 1.84, … 1.67 over 27 epochs, noise-free, validation level with it.
    // The running best never stands still, so no stall is found; after its first epoch it gained only 12 %.
    const creep = (e: number) => (e === 0 ? 2.1 : 1.65 + 0.25 * Math.exp(-(e - 1) / 6));
    const noise = { trainNoise: 0.001, valNoise: 0.001 };

    it('warns, judged from the second epoch', () => {
      const item = itemFor(makeRun({ epochs: 27, train: creep, val: (e) => creep(e) * 1.02, ...noise }), 'underfitting');
      expect(item.status).toBe('warn');
      expect(item.title).toMatch(/^loss made little progress after its first epoch \(1\.9 → 1\.6[5-9]\) and val_loss sits level with it/);
      // One story: the same run is not also a plateau.
      expect(itemFor(makeRun({ epochs: 27, train: creep, val: (e) => creep(e) * 1.02, ...noise }), 'plateau').status).toBe('pass');
    });

    it('does not warn on fewer than 10 epochs (too short to call flat)', () => {
      expect(itemFor(makeRun({ epochs: 8, train: creep, val: (e) => creep(e) * 1.02, ...noise }), 'underfitting').status).toBe('pass');
    });

    it('does not warn while the loss is still falling steadily at the end (a rate too low, not a wall)', () => {
      const steady = (e: number) => (e === 0 ? 2.1 : 1.9 - 0.008 * e);
      expect(itemFor(makeRun({ epochs: 27, train: steady, val: (e) => steady(e) * 1.02, ...noise }), 'underfitting').status).toBe('pass');
    });

    it('does not warn when the loss fell by more than a fifth after its first epoch', () => {
      const fits = (e: number) => (e === 0 ? 2.1 : 1.2 + 0.7 * Math.exp(-(e - 1) / 4));
      expect(itemFor(makeRun({ epochs: 27, train: fits, val: (e) => fits(e) * 1.02, ...noise }), 'underfitting').status).toBe('pass');
    });
  });

  it.each(SCALES)('passes a model that fits the training data (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 20, train: decay(0.9, 0.05, 3), val: decay(0.9, 0.3, 3), trainAcc: (e) => 0.99 - 0.3 * Math.exp(-e / 3) });
    expect(itemFor(run, 'underfitting').status).toBe('pass');
  });
  it('calls a level that ended worse than it started "no progress", not "little progress"', () => {
    // Shared console log 031 read "total_loss made little progress after the start (0.155 → 0.159)".
    expect(littleOrNo(0.155, 0.159, 'lower')).toBe('no');
    expect(littleOrNo(1.21, 1.09, 'lower')).toBe('little');
    expect(littleOrNo(0.6, 0.55, 'higher')).toBe('no');
    expect(littleOrNo(0.5, 0.6, 'higher')).toBe('little');
  });
});
