import { describe, expect, it } from 'vitest';
import { resolveXCoordinates } from '../../src/charts/x-coordinates.ts';
import { series } from './fixtures.ts';

const xsOf = (c: ReturnType<typeof resolveXCoordinates>, s: Parameters<typeof c.at>[0]) => Array.from({ length: s.values.length }, (_, i) => c.at(s, i));

describe('resolveXCoordinates', () => {
  it('uses epochs for epoch-level logs (Keras)', () => {
    const loss = series('loss', 'train', [3, 2, 1], { epochs: [0, 1, 2] });
    const c = resolveXCoordinates([loss]);
    expect(c.mode).toBe('epoch');
    expect(xsOf(c, loss)).toEqual([0, 1, 2]);
    expect(c.stepToX(loss, 1)).toBe(1);
  });

  it('uses the fractional epochs Hugging Face logs on every entry, and maps marks given in steps', () => {
    const loss = series('loss', 'train', [3, 2, 1, 0.5], { cadence: 'step', steps: [100, 200, 300, 400], epochs: [0.25, 0.5, 0.75, 1] });
    const val = series('loss', 'val', [2, 1.5], { cadence: 'epoch', steps: [200, 400], epochs: [0.5, 1] });
    const c = resolveXCoordinates([loss, val]);
    expect(c.mode).toBe('epoch');
    expect(xsOf(c, loss)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(xsOf(c, val)).toEqual([0.5, 1]);
    expect(c.stepToX(val, 300)).toBeCloseTo(0.75);
    expect(c.stepToX(undefined, 300)).toBeCloseTo(0.75);
  });

  it('spreads Lightning step rows (integer epoch on every row) across their epoch', () => {
    // 10 steps per epoch, epochs 0..2; validation logged at the last step of each epoch.
    const steps = Array.from({ length: 30 }, (_, i) => i);
    const loss = series('loss', 'train', steps.map(() => 1), { cadence: 'step', steps, epochs: steps.map((s) => Math.floor(s / 10)) });
    const val = series('loss', 'val', [1, 1, 1], { cadence: 'epoch', steps: [9, 19, 29], epochs: [0, 1, 2] });
    const c = resolveXCoordinates([loss, val]);
    expect(c.mode).toBe('epoch');
    const x = xsOf(c, loss);
    expect(x[0]).toBe(0);
    expect(x[5]).toBeCloseTo(0.5);
    expect(x[15]).toBeCloseTo(1.5);
    expect(new Set(x).size).toBe(30); // no stacking on integer x
    expect(xsOf(c, val).map((v) => Number(v.toFixed(2)))).toEqual([0.9, 1.9, 2.9]);
  });

  it('puts a training job on the epoch axis: step rows with fractional epochs beside epoch-end points whose steps are their epochs', () => {
    // 4 batches per epoch, 3 epochs; the job stores its epoch-level series with step = epoch (1, 2, 3).
    const steps = Array.from({ length: 12 }, (_, i) => i);
    const batch = series('loss', 'train', steps.map(() => 1), { cadence: 'step', steps, epochs: steps.map((s) => Math.floor(s / 4) + ((s % 4) + 1) / 4) });
    const val = series('loss', 'val', [1, 1, 1], { cadence: 'epoch', steps: [1, 2, 3], epochs: [1, 2, 3] });
    const c = resolveXCoordinates([batch, val]);
    expect(c.mode).toBe('epoch');
    expect(xsOf(c, val)).toEqual([1, 2, 3]);
    expect(xsOf(c, batch)[11]).toBe(3);
    expect(c.stepToX(val, 2)).toBe(2);
    expect(c.stepToX(batch, 5)).toBeCloseTo(1.5);
  });

  it('falls back to steps when the epoch counter restarts (streaming datasets)', () => {
    const loss = series('loss', 'train', [3, 2, 1, 0.5], { cadence: 'step', steps: [10, 20, 30, 40], epochs: [4.9, 5.04, 0.05, 0.1] });
    const c = resolveXCoordinates([loss]);
    expect(c.mode).toBe('step');
    expect(xsOf(c, loss)).toEqual([10, 20, 30, 40]);
  });

  it('uses steps for step-level logs without epochs', () => {
    const loss = series('loss', 'train', [3, 2, 1], { cadence: 'step', steps: [0, 50, 100] });
    const c = resolveXCoordinates([loss]);
    expect(c.mode).toBe('step');
    expect(c.stepToX(loss, 75)).toBe(75);
  });

  it('does not call global steps epochs (epoch-cadence series logged at step 5000, 10000…)', () => {
    const loss = series('loss', 'val', [3, 2, 1], { steps: [5000, 10000, 15000] });
    expect(resolveXCoordinates([loss]).mode).toBe('step');
  });
});
