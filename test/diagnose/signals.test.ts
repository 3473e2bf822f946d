import { describe, expect, it } from 'vitest';
import { theilSen } from '../../src/diagnose/signals/trend.ts';
import { noiseLevel } from '../../src/diagnose/signals/noise.ts';
import { twoSegmentFit, sustainedAbove } from '../../src/diagnose/signals/change-points.ts';
import { epochIndex, epochPhasePattern } from '../../src/diagnose/signals/epoch-phase.ts';
import { ema, medianFilter } from '../../src/diagnose/signals/smoothing.ts';
import { toCurve } from '../../src/diagnose/signals/view.ts';
import { seededRng } from '../support/seeded-rng.ts';
import { makeSeries } from '../support/synthetic-runs.ts';

const rng = seededRng(3);
const xs = Array.from({ length: 200 }, (_, i) => i);

describe('signals', () => {
  it('Theil–Sen recovers a slope through 10 % outliers', () => {
    const ys = xs.map((x) => 2 - 0.01 * x + (x % 10 === 0 ? 50 : 0));
    expect(theilSen(xs, ys).slope).toBeCloseTo(-0.01, 4);
  });

  it('noiseLevel estimates σ of white noise on a trend, ignoring the trend', () => {
    const ys = xs.map((x) => 5 * Math.exp(-x / 40) + 0.1 * rng.gauss());
    expect(noiseLevel(ys)).toBeGreaterThan(0.08);
    expect(noiseLevel(ys)).toBeLessThan(0.12);
  });

  it('twoSegmentFit finds a turn-up', () => {
    const ys = xs.map((x) => (x < 120 ? 1 - x / 200 : 0.4 + (x - 120) / 100));
    const f = twoSegmentFit(xs, ys)!;
    expect(Math.abs(f.index - 120)).toBeLessThanOrEqual(1);
    expect(f.slopeBefore).toBeLessThan(0);
    expect(f.slopeAfter).toBeGreaterThan(0);
    expect(sustainedAbove(ys, 0.65, 10, 80)).toBe(146);
  });

  it('epoch phase: a per-epoch sawtooth is found whatever the points per epoch, noise and a plain descent are not', () => {
    // 12.5 points per epoch: no integer period exists, the phase still lines up.
    const steps = xs.map((_, i) => i + 1);
    const epochs = steps.map((s) => s / 12.5);
    const saw = steps.map((s, i) => ((s - 1) % 12.5) / 12.5 - 0.01 * i + 0.05 * rng.gauss());
    const noise = steps.map(() => rng.gauss());
    const descent = steps.map((_, i) => -0.01 * i + 0.05 * rng.gauss());
    const p = epochPhasePattern(steps, epochs, saw)!;
    expect(p.strength).toBeGreaterThan(0.6);
    expect(p.autocorrelation).toBeGreaterThan(0.5);
    expect(p.pointsPerEpoch).toBeGreaterThanOrEqual(12);
    expect(epochPhasePattern(steps, epochs, noise)!.strength).toBeLessThan(0.1);
    expect(epochPhasePattern(steps, epochs, descent)!.autocorrelation).toBeLessThan(0.3);
    expect(Array.from(epochIndex([0.5, 1, 1.5, 2]))).toEqual([0, 0, 1, 1]);
    expect(Array.from(epochIndex([0, 0, 1, 1]))).toEqual([0, 0, 1, 1]);
    expect(epochPhasePattern([1, 2, 3], [0, 0, 0], [1, 2, 3])).toBeNull();
  });

  it('smoothers: the median filter removes an isolated spike, the EMA follows a level', () => {
    const ys = [1, 1, 1, 9, 1, 1, 1];
    expect(Array.from(medianFilter(ys, 3))).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(ema([2, 2, 2, 2], 0.1)[3]).toBeCloseTo(2, 10);
  });

  it('downsamples a 200 k-point series to a bounded curve, keeping bin maxima and NaN facts', () => {
    const n = 200_000;
    const vals = new Float64Array(n).map((_, i) => 1 / (1 + i / 2e4));
    vals[100_000] = 100;
    vals[140_000] = NaN;
    const c = toCurve(makeSeries('loss', 'loss', 'train', 'step', Array.from({ length: n }, (_, i) => i), null, Array.from(vals)));
    expect(c.y.length).toBeLessThanOrEqual(400);
    expect(Math.max(...c.yMax)).toBe(100);
    expect(c.nonFinite).toMatchObject({ count: 1, firstStep: 140_000 });
    expect(c.logScale).toBe(true);
  });
});
