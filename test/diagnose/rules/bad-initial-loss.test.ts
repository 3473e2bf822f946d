import { describe, expect, it } from 'vitest';
import { makeRun, decay, makeSeries } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('bad_initial_loss', () => {
  it('fails when the first loss is 9× ln 10', () => {
    const item = itemFor(makeRun({ epochs: 10, stepsPerEpoch: 20, train: decay(20, 0.5, 1), trainNoise: 0.01 }), 'bad_initial_loss', { classes: 10 });
    expect(item.status).toBe('fail');
    expect(Number(item.evidence.ratio)).toBeGreaterThan(8);
  });
  it('passes a first loss at ln K, and, without K, a gradual start', () => {
    const run = makeRun({ epochs: 10, stepsPerEpoch: 20, train: decay(Math.log(10), 0.5, 1), trainNoise: 0.01 });
    expect(itemFor(run, 'bad_initial_loss', { classes: 10 }).status).toBe('pass');
    expect(itemFor(run, 'bad_initial_loss').status).toBe('pass');
  });
  it('without K, warns on a start many times the next steps that collapses at once (a last layer ×50)', () => {
    const values = Array.from({ length: 300 }, (_, i) => (i === 0 ? 60 : i < 4 ? 60 / (4 * i) : 2.3 * Math.exp(-i / 80) + 0.1));
    const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });
    run.series = [makeSeries('loss', 'loss', 'train', 'step', values.map((_, i) => i + 1), values.map((_, i) => (i + 1) / 30), values)];
    const item = itemFor(run, 'bad_initial_loss');
    expect(item.status).toBe('warn');
    expect(Number(item.evidence.ratio)).toBeGreaterThan(10);
  });
  it('without K, does not read a collapse between points logged 100 steps apart: a healthy MNIST start (ln 10, then 0.2 a hundred steps later) looks the same', () => {
    // Logged every 100 batches: 2.3 (chance for 10 classes), then already 0.25 at the next point, as a good model does.
    const values = Array.from({ length: 200 }, (_, i) => (i === 0 ? 2.3 : 0.25 * Math.exp(-i / 60) + 0.03));
    const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });
    run.series = [makeSeries('loss', 'loss', 'train', 'step', values.map((_, i) => i * 100), values.map((_, i) => i / 20), values)];
    const item = itemFor(run, 'bad_initial_loss');
    expect(item.status).toBe('unknown');
    expect(item.title).toMatch(/100 steps apart: too sparse/);
    // The same start logged every step is judged.
    const dense = Array.from({ length: 2000 }, (_, i) => (i === 0 ? 60 : 2.3 * Math.exp(-i / 600) + 0.1));
    run.series = [makeSeries('loss', 'loss', 'train', 'step', dense.map((_, i) => i + 1), dense.map((_, i) => i / 200), dense)];
    expect(itemFor(run, 'bad_initial_loss').status).toBe('warn');
  });
  it("with K, one batch at 2× ln K is within the scatter of a sane start (pass), a first epoch's mean at 2× ln K is not (warn)", () => {
    // Batch losses at init scatter around ln K; a first batch twice it, then the usual fall, is a sane start.
    const steps = makeRun({ epochs: 10, stepsPerEpoch: 20, train: decay(Math.log(10), 0.5, 1), trainNoise: 0.01 });
    steps.series[0]!.values[0] = 2 * Math.log(10);
    expect(itemFor(steps, 'bad_initial_loss', { classes: 10 }).status).toBe('pass');
    // The first epoch's mean averages the collapse away: a mean of 2× ln K means much of the epoch sat above chance.
    const epochs = makeRun({ epochs: 10, train: (e) => (e === 0 ? 2 * Math.log(10) : decay(1.2, 0.3, 2)(e)) });
    const item = itemFor(epochs, 'bad_initial_loss', { classes: 10 });
    expect(item.status).toBe('warn');
    expect(item.title).toMatch(/^First epoch's loss 4\.6\d* is 2\.0× ln 10/);
  });
  it('with K, a run whose loss is NaN from the first step is left to nan_loss, not called a bad initialisation', () => {
    const run = makeRun({ epochs: 10, stepsPerEpoch: 20, train: () => NaN });
    const item = itemFor(run, 'bad_initial_loss', { classes: 10 });
    expect(item.status).toBe('unknown');
    expect(item.evidence.deferredTo).toBe('nan_loss');
    expect(itemFor(run, 'nan_loss').status).toBe('fail');
  });
  it('without K, a first epoch below ln 2 is not a bad start however fast the next one falls (a healthy fast learner)', () => {
    // Shared console log 005: 0.233 in the first epoch, 0.0083 in the second: below what any uniform guess costs.
    const run = makeRun({ epochs: 10, train: (e) => (e === 0 ? 0.233 : 0.0083 * Math.exp(-(e - 1) / 5)) });
    const item = itemFor(run, 'bad_initial_loss');
    expect(item.status).toBe('pass');
    expect(item.title).toMatch(/below ln 2 = 0\.693/);
    // The same collapse from above ln 2 is still read (×28 from 23.3).
    const high = makeRun({ epochs: 10, train: (e) => (e === 0 ? 23.3 : 0.83 * Math.exp(-(e - 1) / 5)) });
    expect(itemFor(high, 'bad_initial_loss').status).toBe('warn');
  });
});
