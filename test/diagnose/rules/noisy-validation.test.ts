import { describe, expect, it } from 'vitest';
import { makeRun, makeSeries, decay, turnsUp, family, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor, flagged } from '../../support/verdict-item.ts';
import { FIT, jitterLowerBound } from '../../../src/diagnose/rules/noisy-validation.ts';

/** Jitter `k` times the fitted warning bar, never below `floor` (the tests follow a refit). */
const jitter = (k: number, floor: number) => Math.max(floor, k * FIT.warnLogNoise);

const falling = (epochs: number) => decay(1, 0.4, epochs / 6);
const train = (epochs: number) => decay(1, 0.2, epochs / 6);

describe('noisy_validation', () => {
  it.each(SCALES)('flags a validation loss that jumps ±20 %% between epochs (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, epochs: 30, train: decay(1, 0.2, 4), val: decay(1, 0.4, 4), valNoise: jitter(2.4, 0.2) }), 'noisy_validation');
    expect(['warn', 'fail']).toContain(item.status);
    expect(Number(item.evidence.jitter)).toBeGreaterThan(0.1);
  });

  it('jumps that the per-epoch training loss shares (±15 % on both) come from training: a pass that says so', () => {
    const run = makeRun({ epochs: 30, train: decay(1, 0.2, 5), val: decay(1, 0.4, 5), trainNoise: jitter(1.4, 0.15), valNoise: jitter(1.4, 0.15) });
    const item = itemFor(run, 'noisy_validation');
    expect(item.status).toBe('pass');
    expect(item.title).toMatch(/loss is nearly as jumpy: the jumps come from training/);
    expect(Number(item.evidence.noiseRatio)).toBeLessThan(3);
    // The same validation beside a smooth training curve is the validation set's own noise.
    expect(flagged(itemFor(makeRun({ epochs: 30, train: decay(1, 0.2, 5), val: decay(1, 0.4, 5), trainNoise: 0.01, valNoise: jitter(1.8, 0.15) }), 'noisy_validation'))).toBe(true);
  });

  it('a log with only step-level training loss is compared per epoch: jumps its per-epoch mean shares are training\'s, a smooth one leaves them to the validation set', () => {
    // Every other epoch the whole epoch (training and validation alike) sits 40 % higher: the rate, not the data.
    const bounce = (f: (e: number) => number) => (e: number) => f(e) * (Math.floor(e) % 2 ? 1.4 : 1);
    const jumpy = makeRun({ epochs: 30, stepsPerEpoch: 20, train: bounce(decay(1, 0.2, 5)), val: bounce(decay(1, 0.4, 5)), trainNoise: 0.1, valNoise: 0.01 });
    const shared = itemFor(jumpy, 'noisy_validation');
    expect(shared.status).toBe('pass');
    expect(shared.title).toMatch(/loss \(per-epoch mean\) is nearly as jumpy/);
    const smooth = makeRun({ epochs: 30, stepsPerEpoch: 20, train: decay(1, 0.2, 5), val: bounce(decay(1, 0.4, 5)), trainNoise: 0.1, valNoise: 0.01 });
    expect(flagged(itemFor(smooth, 'noisy_validation'))).toBe(true);
  });

  it("judges the validation against the epoch's level (`train_loss_epoch`), not one batch's value shown once an epoch (`train_loss_step`)", () => {
    // A Lightning console keeps each epoch's last bar: `train_loss_step` is one batch, as jumpy as single batches are.
    const epochs = Array.from({ length: 30 }, (_, e) => e);
    const rng = (() => { let x = 7; return () => ((x = (x * 16807) % 2147483647) / 2147483647 - 0.5) * 2; })();
    const level = decay(1, 0.2, 5);
    const stepSample = makeSeries('train_loss_step', 'loss', 'train', 'epoch', epochs, epochs, epochs.map((e) => level(e) * Math.exp(0.6 * rng())));
    const epochMean = makeSeries('train_loss_epoch', 'loss', 'train', 'epoch', epochs, epochs, epochs.map((e) => level(e) * Math.exp(0.01 * rng())));
    const base = makeRun({ epochs: 30, val: decay(1, 0.4, 5), valNoise: jitter(1.8, 0.18) });
    const item = itemFor({ ...base, series: [stepSample, epochMean, ...base.series] }, 'noisy_validation');
    expect(flagged(item)).toBe(true);
    expect(item.evidence.noiseRatio).toBeGreaterThan(FIT.minNoiseRatio);
  });

  it.each(SCALES)('passes a fast-falling, smooth validation loss (2 %% noise) (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 30, train: decay(1, 0.2, 4), val: decay(3, 0.4, 2), valNoise: 0.02 }), 'noisy_validation').status).toBe('pass');
  });

  describe('family: jitter of ±15–30 % (or 2–4× the fitted bar) per evaluation on a falling, flat or overfitting curve', () => {
    const members = [...family({ epochs: [30, 100], noises: [jitter(2.2, 0.15), jitter(2.8, 0.2), jitter(3.6, 0.3)] }), ...family({ epochs: [10], noises: [jitter(3.6, 0.3)] })];
    it.each(members.map((m) => [m.label, m] as const))('flags %s', (_, m) => {
      for (const val of [falling(m.epochs), () => 0.5, turnsUp(1, 0.4, m.epochs / 8, m.epochs / 2, 1 / m.epochs)]) {
        const run = makeRun({ scale: m.scale, seed: m.seed, epochs: m.epochs, train: train(m.epochs), val, valNoise: m.noise });
        expect(flagged(itemFor(run, 'noisy_validation'))).toBe(true);
      }
    });
  });

  describe('family of look-alikes: fast but smooth falls, smooth overfitting turns, ±3 % jitter', () => {
    const members = family({ epochs: [10, 30, 100], noises: [0.005, 0.02, 0.03] });
    it.each(members.map((m) => [m.label, m] as const))('passes %s', (_, m) => {
      const shapes = [decay(3, 0.4, m.epochs / 4), falling(m.epochs), turnsUp(1, 0.4, m.epochs / 8, m.epochs / 2, 2 / m.epochs)];
      for (const val of shapes) {
        const run = makeRun({ scale: m.scale, seed: m.seed, epochs: m.epochs, train: train(m.epochs), val, valNoise: m.noise });
        expect(itemFor(run, 'noisy_validation').status).toBe('pass');
      }
    });
  });

  // On a short run the bend of the curve dominates the evaluation-to-evaluation changes: read alone, a smooth 6-epoch
  // fall looks like ±10 % jitter. Read against the training curve, which bends with it, the bend cancels.
  describe('family of look-alikes: 6 to 10 evaluations of a sharp fall that training shares', () => {
    const members = family({ epochs: [6, 8, 10], noises: [0.005, 0.02, 0.03], seeds: [1, 2, 3, 4] });
    it.each(members.map((m) => [m.label, m] as const))('passes %s', (_, m) => {
      const run = makeRun({ scale: m.scale, seed: m.seed, epochs: m.epochs, train: decay(3, 0.25, 1), val: decay(3, 0.4, 1), valNoise: m.noise });
      const item = itemFor(run, 'noisy_validation');
      expect(item.status).toBe('pass');
      expect(item.evidence.jitterOf).toBe('val_loss relative to loss');
    });
  });

  it.each(SCALES)('five evaluations of a falling curve with one small bump are not called noisy (the changes differ because the trend bends) (scale %s)', (scale) => {
    // Shaped like real log 025: 0.071, 0.046, 0.044, 0.047, 0.039; the raw jitter estimate is ±12 %, but from 4 changes.
    const run = makeRun({ scale, epochs: 5, train: decay(0.6, 0.03, 1) });
    run.series.push(makeSeries('val_loss', 'loss', 'val', 'epoch', [0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [0.071, 0.046, 0.044, 0.047, 0.039].map((v) => v * scale)));
    const item = itemFor(run, 'noisy_validation');
    expect(Number(item.evidence.jitter)).toBeGreaterThan(0.1);
    expect(item.status).toBe('pass');
  });

  it('judges the jitter by what its sample size supports: the same estimate counts fully only with many evaluations', () => {
    expect(jitterLowerBound(0.1, 4)).toBeCloseTo(0.1 * (1 - 1.166 / 2), 6);
    expect(jitterLowerBound(0.1, 100)).toBeGreaterThan(0.088);
    expect(jitterLowerBound(0.1, 1)).toBe(0);
    expect(jitterLowerBound(NaN, 10)).toBeNaN();
  });

  it('says a jitter under 1 % with a decimal, not as "±0 %" (which reads as no jitter at all)', () => {
    const run = makeRun({ epochs: 30, train: decay(1, 0.2, 6), val: decay(1.05, 0.25, 6), valNoise: 0.004 });
    const item = itemFor(run, 'noisy_validation');
    expect(item.status).toBe('pass');
    expect(item.title).toMatch(/jitter ±0\.\d %/);
  });
});
