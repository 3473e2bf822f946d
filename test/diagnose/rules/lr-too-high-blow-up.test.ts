import { describe, expect, it } from 'vitest';
import { makeRun, makeSeries, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const SPE = 50;
/** A first epoch whose batches shoot 40× above the start, after which the net sits at its initial (chance) level. */
const blowsUpThenChance = (e: number) => (e === 0 ? 1 : e < 0.25 ? 40 : 1);
const blowsUpThenLearns = (e: number) => (e === 0 ? 1 : e < 0.25 ? 40 : decay(1, 0.1, 1.5)(e));

describe('lr_too_high: an early blow-up of the per-batch loss', () => {
  it.each(SCALES)('fails when the batch loss blows up in the first epoch and never gets below the start (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, epochs: 5, stepsPerEpoch: SPE, train: blowsUpThenChance, trainNoise: 0.05 }), 'lr_too_high');
    expect(item.status).toBe('fail');
    expect(item.title).toMatch(/blew up in the first epoch/);
    expect(item.evidence.peakLoss as number).toBeGreaterThan(20 * scale);
    expect(item.evidence.peakEpoch as number).toBeLessThan(1);
    expect(item.evidence.firstEpochMeanLoss as number).toBeGreaterThan(4 * (item.evidence.firstBatchLoss as number));
  });

  it('without epochs, says the blow-up was early in the logged steps, not "in the first epoch"', () => {
    // Iterations only (a fine-tune logging every 100 steps): the window is the first tenth of the steps.
    const n = 300;
    const values = Array.from({ length: n }, (_, i) => (i === 0 ? 1 : i < 25 ? 40 : 1 + 0.01 * Math.sin(i)));
    const run = makeRun({ epochs: 5, train: decay(1, 0.1, 3) });
    run.series = [makeSeries('loss', 'loss', 'train', 'step', values.map((_, i) => (i + 1) * 100), null, values)];
    const item = itemFor(run, 'lr_too_high');
    expect(item.status).toBe('fail');
    expect(item.title).toMatch(/^The loss blew up early \(in the first 10 % of the logged steps\): batch loss peaked at 40 \(step \d+\) from a start of 1, early mean /);
    expect(item.title).not.toMatch(/epoch/);
  });

  describe('a classifier (an accuracy is logged) is measured from ln 2 at least, not from one lucky tiny batch', () => {
    // Batches of 2 at an edge-of-stability rate: the first batch scores 0.02 by luck, the rest swing 0.3 to 2.1 around
    // a two-class loss. 2.1 is 100x that first batch but only 3x ln 2: the optimiser bounces, it did not blow up.
    const swinging = (e: number) => (e === 0 ? 0.02 : 0.3 + 1.8 * Math.abs(Math.sin(e * 37)));
    const accuracy = () => 0.7;
    it('does not call the swings a first-epoch blow-up when an accuracy says it is a classifier', () => {
      const item = itemFor(makeRun({ epochs: 5, stepsPerEpoch: SPE, train: swinging, trainNoise: 0.01, trainAcc: accuracy }), 'lr_too_high');
      expect(item.title).not.toMatch(/blew up/);
    });

    it('reads the same batches against their own start when nothing says it is a classifier (a regression loss has no floor)', () => {
      const item = itemFor(makeRun({ epochs: 5, stepsPerEpoch: SPE, train: swinging, trainNoise: 0.01 }), 'lr_too_high');
      expect(item.title).toMatch(/blew up in the first epoch/);
    });

    it('still finds a real blow-up of a classifier, and says the start was read as ln 2', () => {
      const blowsUp = (e: number) => (e === 0 ? 0.02 : e < 0.25 ? 40 : 0.69);
      const item = itemFor(makeRun({ epochs: 5, stepsPerEpoch: SPE, train: blowsUp, trainNoise: 0.05, trainAcc: accuracy }), 'lr_too_high');
      expect(item.status).toBe('fail');
      expect(item.title).toMatch(/from a start of 0\.02\d* \(read as ln 2 = 0\.693, where a classifier starts\)/);
    });
  });

  it('finds the blow-up when some batches score exactly 0 (batches of 2 a model gets right), and never measures from a start of 0', () => {
    const blowsUp = (e: number) => (e === 0 ? 0.7 : e < 0.25 ? 40 : 0.69);
    const run = makeRun({ epochs: 5, stepsPerEpoch: SPE, train: blowsUp, trainNoise: 0.05, trainAcc: () => 0.6 });
    const loss = run.series.find((x) => x.name === 'loss')!;
    for (let i = 30; i < loss.values.length; i += 7) loss.values[i] = 0;
    const item = itemFor(run, 'lr_too_high');
    expect(item.status).toBe('fail');
    expect(item.title).toMatch(/blew up in the first epoch/);
    // A loss that starts at exactly 0 has no level to blow up from (every later batch would be "4x above" it).
    const zeroStart = makeRun({ epochs: 5, stepsPerEpoch: SPE, train: () => 0.3, trainNoise: 0.3 });
    zeroStart.series.find((x) => x.name === 'loss')!.values[0] = 0;
    expect(itemFor(zeroStart, 'lr_too_high').title).not.toMatch(/blew up/);
  });

  it('compares with ln K when the classes are known, and names the first-epoch mean', () => {
    const item = itemFor(makeRun({ scale: Math.log(10), epochs: 5, stepsPerEpoch: SPE, train: blowsUpThenChance, trainNoise: 0.05 }), 'lr_too_high', { classes: 10 });
    expect(item.status).toBe('fail');
    expect(item.evidence.chanceLoss).toBeCloseTo(Math.log(10), 3);
    expect(item.title).toMatch(/ln 10 = 2\.3/);
  });

  it.each(SCALES)('warns when the run recovers after the blow-up (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, epochs: 5, stepsPerEpoch: SPE, train: blowsUpThenLearns, trainNoise: 0.05 }), 'lr_too_high');
    expect(item.status).toBe('warn');
    expect(item.title).toMatch(/came back to/);
  });

  it.each(SCALES)('look-alike: a single bad batch in the first epoch is a spike, not a blow-up (scale %s)', (scale) => {
    const oneSpike = (e: number) => (Math.abs(e - 0.1) < 0.005 ? 40 : decay(1, 0.2, 1.5)(e));
    const item = itemFor(makeRun({ scale, epochs: 5, stepsPerEpoch: SPE, train: oneSpike, trainNoise: 0.05 }), 'lr_too_high');
    expect(item.title).not.toMatch(/blew up/);
  });

  it.each(SCALES)('look-alike: a noisy healthy first epoch is not a blow-up (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, epochs: 5, stepsPerEpoch: SPE, train: decay(1, 0.2, 1.5), trainNoise: 0.3 }), 'lr_too_high');
    expect(item.status).toBe('pass');
  });
});

describe('lr_too_high and divergence defer to unshuffled_data when the data order explains the rise', () => {
  /** Sorted labels: within each epoch the loss climbs as batches move to classes the net has not seen yet. */
  const sortedRise = (e: number) => 0.5 + 1.5 * (e - Math.floor(e)) + 0.1 * e;

  it.each(SCALES)('with shuffling off, a rising batch loss is not blamed on the learning rate (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 5, stepsPerEpoch: SPE, train: sortedRise, trainNoise: 0.05 });
    const ctx = { config: { shuffle: false, learningRate: 0.001 } };
    const lr = itemFor(run, 'lr_too_high', ctx);
    expect(lr.status).toBe('pass');
    expect(lr.evidence.deferredTo).toBe('unshuffled_data');
    const div = itemFor(run, 'divergence', ctx);
    expect(div.status === 'pass' || (div.status === 'warn' && div.evidence.deferredTo === 'unshuffled_data')).toBe(true);
    const rising = itemFor(run, 'train_loss_rising', ctx);
    expect(rising.status === 'pass' || (rising.status === 'warn' && rising.evidence.deferredTo === 'unshuffled_data')).toBe(true);
    const un = itemFor(run, 'unshuffled_data', ctx);
    expect(un.status).toBe('fail');
    expect(un.evidence.sawtooth).toBe(true);
  });

  it.each(SCALES)('look-alike: the same rise with shuffling on and no sawtooth still fails lr_too_high (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 5, stepsPerEpoch: SPE, train: (e) => 0.5 + 0.4 * e, trainNoise: 0.05 });
    const item = itemFor(run, 'lr_too_high', { config: { shuffle: true } });
    expect(item.status).toBe('fail');
    expect(item.evidence.deferredTo).toBeUndefined();
    expect(itemFor(run, 'train_loss_rising', { config: { shuffle: true } }).evidence.deferredTo).toBeUndefined();
  });
});
