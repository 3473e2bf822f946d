/** One epoch count for a run (src/domain/epochs.ts): what the engine, the store and every face print. */
import { describe, expect, it } from 'vitest';
import type { Cadence, Series } from '../../src/domain/run.ts';
import { countEpochs, describeEpochs, EpochScan, epochSpan, epochsCell, spanOf } from '../../src/domain/epochs.ts';
import { EpochTally, firstEpochOf } from '../../src/store/epoch-tally.ts';

function series(cadence: Cadence, steps: number[], epochs: number[] | null, name = 'loss'): Series {
  return {
    key: 'loss',
    split: 'train',
    name,
    direction: 'lower',
    cadence,
    steps: Float64Array.from(steps),
    epochs: epochs ? Float64Array.from(epochs) : null,
    wallTimes: null,
    values: Float64Array.from(steps, () => 1),
  };
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('epochSpan / countEpochs', () => {
  it('counts epochs numbered from 0 (Keras, Lightning) and from 1 the same way', () => {
    expect(epochSpan([series('epoch', range(0, 29), range(0, 29))])).toEqual({ first: 0, last: 29, count: 30 });
    expect(epochSpan([series('epoch', range(1, 30), range(1, 30))])).toEqual({ first: 1, last: 30, count: 30 });
    // An epoch-cadence series without an epoch column counts its steps (Keras history: 0…n−1).
    expect(countEpochs([series('epoch', range(0, 9), null)])).toBe(10);
  });

  it('counts a log whose numbering starts at 24 from 24, not from 0 (a resumed run, a CSV missing its first rows)', () => {
    const steps = range(24, 55).map((e) => (e + 1) * 50 - 1);
    const s = [series('epoch', steps, range(24, 55), 'val_loss'), series('step', steps, range(24, 55))];
    expect(epochSpan(s)).toEqual({ first: 24, last: 55, count: 32 });
    expect(countEpochs(s)).toBe(32);
  });

  it('reads fractional Hugging Face epochs as progress: 0.05 … 2.97 is 3 epochs, 38.17 is in the 39th, 3.0 ends the 3rd', () => {
    const frac = (to: number) => Array.from({ length: Math.round(to / 0.05) }, (_, i) => Math.round((i + 1) * 5) / 100).filter((e) => e <= to);
    expect(epochSpan([series('step', frac(2.97).map((_, i) => (i + 1) * 10), frac(2.97))])).toEqual({ first: 1, last: 3, count: 3 });
    expect(countEpochs([series('step', [10, 20, 30], [0.05, 19.2, 38.17])])).toBe(39);
    // logging_first_step: HF writes epoch 0.0 for the first step; the eval at 3.0 is the end of the 3rd epoch, not a 4th.
    expect(countEpochs([series('step', [1, 500, 1000, 1500], [0, 1.0, 2.5, 3.0]), series('step', [500, 1000, 1500], [1, 2, 3], 'eval_loss')])).toBe(3);
    // Step-level epochs of a 0-based console log (epoch 0.0 at batch 0 … 19.98): 20 epochs.
    expect(countEpochs([series('step', [0, 1, 2], [0, 10.5, 19.98])])).toBe(20);
  });

  it('is null for a step-only log without epochs, and skips NaN and ±Infinity', () => {
    expect(epochSpan([series('step', range(0, 999), null)])).toBeNull();
    expect(countEpochs([])).toBeNull();
    expect(countEpochs([series('step', [0, 1], [NaN, NaN])])).toBeNull();
    expect(countEpochs([series('epoch', [0, 1, 2], [NaN, 1, Infinity])])).toBe(1);
  });

  it('gives the same bounds when a run arrives piece by piece (the store appends) as read whole', () => {
    const whole = series('epoch', range(24, 55), range(24, 55));
    const scan = new EpochScan();
    scan.add({ cadence: 'epoch', steps: whole.steps.subarray(10), epochs: whole.epochs!.subarray(10) });
    const restored = EpochScan.of(scan.bounds);
    restored.add({ cadence: 'epoch', steps: whole.steps.subarray(0, 10), epochs: whole.epochs!.subarray(0, 10) });
    expect(spanOf(restored.bounds)).toEqual(epochSpan([whole]));
    // The store's tally keeps the same state in its columns and says the same count and first epoch.
    const tally = new EpochTally();
    tally.add(whole);
    const st = tally.stored;
    expect(st).toMatchObject({ epochs: 32, epochMin: 24, epochMax: 55, epochFrac: 0, epochZero: 0 });
    expect(EpochTally.of(st.epochMin, st.epochMax, st.epochFrac).count).toBe(32);
    expect(firstEpochOf(st.epochMin, st.epochMax, st.epochFrac)).toBe(24);
    expect(new EpochTally().stored).toMatchObject({ epochs: null, epochMin: null, epochMax: null });
  });
});

describe('describeEpochs / epochsCell', () => {
  it('says a count when the numbering starts at 0 or 1 (or is not known), the range when it starts later', () => {
    expect(describeEpochs({ epochs: 30, firstEpoch: 0 })).toBe('30 epochs');
    expect(describeEpochs({ epochs: 30, firstEpoch: 1 })).toBe('30 epochs');
    expect(describeEpochs({ epochs: 1, firstEpoch: 0 })).toBe('1 epoch');
    expect(describeEpochs({ epochs: 30 })).toBe('30 epochs');
    expect(describeEpochs({ epochs: 32, firstEpoch: 24 })).toBe('epochs 24–55');
    expect(describeEpochs({ epochs: 1, firstEpoch: 24 })).toBe('epoch 24');
    expect(describeEpochs({ epochs: null, firstEpoch: null })).toBeNull();
    expect(epochsCell({ epochs: 30, firstEpoch: 0 })).toBe('30');
    expect(epochsCell({ epochs: 32, firstEpoch: 24 })).toBe('24–55');
    expect(epochsCell({ epochs: null })).toBeNull();
  });
});
