import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { finiteStretches, lttbIndices, nonFiniteRuns } from '../../src/charts/lttb.ts';

const range = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

describe('lttbIndices', () => {
  it('returns every index when the series is already short', () => {
    expect([...lttbIndices(range(5), [1, 2, 3, 4, 5], 10)]).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps the first and last point and about `threshold` points', () => {
    const n = 100_000;
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 1000));
    const idx = lttbIndices(range(n), y, 1500);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(n - 1);
    expect(idx.length).toBeGreaterThan(1400);
    expect(idx.length).toBeLessThanOrEqual(1502);
  });

  it('keeps a single-point spike that striding would miss', () => {
    const n = 200_000;
    const y = new Float64Array(n).fill(1);
    y[123_457] = 50;
    y[7] = -20;
    const idx = [...lttbIndices(range(n), y, 1000)];
    expect(idx).toContain(123_457);
    expect(idx).toContain(7);
  });

  it('breaks at NaN runs: keeps the first index of each gap and never picks a NaN as a bucket point', () => {
    const n = 10_000;
    const y = Float64Array.from({ length: n }, (_, i) => Math.cos(i / 50));
    for (let i = 4000; i < 4500; i++) y[i] = NaN;
    y[8000] = Infinity;
    const idx = [...lttbIndices(range(n), y, 300)];
    const nonFinite = idx.filter((i) => !Number.isFinite(y[i]));
    expect(nonFinite).toEqual([4000, 8000]);
    expect(idx).toContain(3999); // last finite point before the gap: the line runs up to it
    expect(idx).toContain(4500); // and restarts right after it
  });

  it('keeps the last index of a trailing NaN run so the x range reaches the end of the run', () => {
    const y = Float64Array.from({ length: 5000 }, (_, i) => (i >= 4000 ? NaN : i));
    const idx = [...lttbIndices(range(5000), y, 100)];
    expect(idx).toContain(4000);
    expect(idx[idx.length - 1]).toBe(4999);
  });

  it('handles an all-NaN series', () => {
    const y = new Float64Array(5000).fill(NaN);
    expect([...lttbIndices(range(5000), y, 100)]).toEqual([0, 4999]);
  });

  it('returns ascending unique indices, at most threshold + gaps + a little, for any input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(NaN), fc.constant(Infinity)), { minLength: 0, maxLength: 600 }),
        fc.integer({ min: 3, max: 200 }),
        (vals, threshold) => {
          const y = Float64Array.from(vals);
          const idx = lttbIndices(range(y.length), y, threshold);
          for (let k = 1; k < idx.length; k++) expect(idx[k]!).toBeGreaterThan(idx[k - 1]!);
          if (y.length <= threshold) expect(idx.length).toBe(y.length);
          else expect(idx.length).toBeLessThanOrEqual(threshold + 2 * nonFiniteRuns(y).length + 2 * finiteStretches(y).length + 2);
        },
      ),
    );
  });

  it('rejects x and y of different lengths', () => {
    expect(() => lttbIndices(range(3), [1, 2], 10)).toThrow(/x has 3 values, y has 2/);
  });
});

describe('finiteStretches / nonFiniteRuns', () => {
  it('split a series into complementary runs', () => {
    const y = [NaN, 1, 2, Infinity, -Infinity, 3, NaN];
    expect(finiteStretches(y)).toEqual([[1, 3], [5, 6]]);
    expect(nonFiniteRuns(y)).toEqual([[0, 1], [3, 5], [6, 7]]);
  });
});
