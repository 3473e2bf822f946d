import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES, makeSeries } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const SPE = 40;
/** Data sorted by class: within each epoch the loss climbs as the batches move to harder classes. */
const sawtooth = (e: number) => decay(1, 0.3, 4)(e) * (0.7 + 0.6 * (e - Math.floor(e)));

describe('unshuffled_data', () => {
  it.each(SCALES)('warns on a per-epoch sawtooth in the step-level loss (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, epochs: 10, stepsPerEpoch: SPE, train: sawtooth, trainNoise: 0.1 }), 'unshuffled_data');
    expect(item.status).toBe('warn');
    expect(item.evidence.pointsPerEpoch).toBe(SPE);
  });

  it.each(SCALES)('passes the same noise without a per-epoch pattern (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 10, stepsPerEpoch: SPE, train: decay(1, 0.3, 4), trainNoise: 0.2 }), 'unshuffled_data').status).toBe('pass');
  });

  it('fails when the config says shuffle is off, and is unknown for epoch-level logs', () => {
    const run = makeRun({ epochs: 10, train: decay(1, 0.3, 4) });
    expect(itemFor(run, 'unshuffled_data', { config: { shuffle: false } }).status).toBe('fail');
    expect(itemFor(run, 'unshuffled_data').status).toBe('unknown');
  });
});

describe('unshuffled_data on epochs that are not a whole number of logged points', () => {
  /** 30 epochs of 63 batches (1,890 points, downsampled into bins of 4.7), or logged every 5 or 7 batches (12.6, 9 per epoch). */
  const sorted = (everyK: number, noise: number, seed: number) => {
    let s = seed;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const steps: number[] = [];
    const epochs: number[] = [];
    const values: number[] = [];
    for (let step = 1; step <= 30 * 63; step++) {
      if (step % everyK !== 0) continue;
      const e = step / 63;
      const phase = (step - 1) % 63 / 63;
      steps.push(step);
      epochs.push(e);
      values.push(decay(2, 0.4, 6)(e) * (0.6 + 0.8 * phase) * Math.exp(noise * (rnd() - 0.5)));
    }
    return makeSeries('loss', 'loss', 'train', 'step', steps, epochs, values);
  };
  it.each([[1, 0.3], [5, 0.3], [7, 0.5]])('finds the sawtooth logged every %s batches (noise %s)', (k, noise) => {
    const run = makeRun({ epochs: 30, train: decay(2, 0.4, 6) });
    run.series = [sorted(k, noise, 7)];
    const item = itemFor(run, 'unshuffled_data');
    expect(item.status).toBe('warn');
    expect(Number(item.evidence.autocorrelation)).toBeGreaterThan(0.6);
  });
  it('passes the same run with its order shuffled (no per-epoch shape)', () => {
    const run = makeRun({ epochs: 30, train: decay(2, 0.4, 6) });
    const s = sorted(1, 0.3, 7);
    // Same values, phases permuted within each epoch: the per-epoch shape is gone, the descent stays.
    const v = Array.from(s.values);
    for (let e = 0; e < 30; e++) {
      const chunk = v.slice(e * 63, e * 63 + 63);
      for (let i = chunk.length - 1; i > 0; i--) { const j = (i * 7919 + e * 31) % (i + 1); [chunk[i], chunk[j]] = [chunk[j], chunk[i]]; }
      v.splice(e * 63, 63, ...chunk);
    }
    run.series = [{ ...s, values: Float64Array.from(v) }];
    expect(itemFor(run, 'unshuffled_data').status).toBe('pass');
  });
});

describe('unshuffled_data needs a shape within the epoch', () => {
  it('is unknown with fewer than 8 logged points per epoch (4 points cannot hold a shape, and an epoch summary among them reads as one)', () => {
    const steps = Array.from({ length: 72 }, (_, i) => i + 1);
    const epochs = steps.map((s) => s / 4);
    const values = steps.map((s) => (s % 4 === 0 ? 0.5 : 0.8) * Math.exp(-s / 100));
    const run = makeRun({ epochs: 18, train: decay(1, 0.1, 3) });
    run.series = [makeSeries('loss', 'loss', 'train', 'step', steps, epochs, values)];
    expect(itemFor(run, 'unshuffled_data').status).toBe('unknown');
  });
});
