import { describe, expect, it } from 'vitest';
import { formatAxisNumber, formatValue } from '../../src/charts/format-number.ts';
import { fitText, layoutLabels, textWidth } from '../../src/charts/label-layout.ts';
import { chooseYScale, extentOf, niceStep, sampledPositiveQuantile, toPixel } from '../../src/charts/scale.ts';
import { displaySpan, emaSampled, emaSmooth, isNoisy } from '../../src/charts/smooth.ts';
import { rng } from './fixtures.ts';

describe('formatAxisNumber', () => {
  it.each([
    [0, '0'],
    [1000, '1k'],
    [1500, '1.5k'],
    [2_500_000, '2.5M'],
    [3e9, '3G'],
    [0.001, '0.001'],
    [0.25, '0.25'],
    [0.1 + 0.2, '0.3'],
    [1e-5, '1e-5'],
    [2.5e-7, '2.5e-7'],
    [-0.0001, '-1e-4'],
    [12, '12'],
    [NaN, 'NaN'],
    [Infinity, '∞'],
  ])('%s → %s', (v, s) => expect(formatAxisNumber(v)).toBe(s));

  it('formats label values with one more digit', () => {
    expect(formatValue(0.50912)).toBe('0.5091');
    expect(formatValue(3e-4)).toBe('3e-4');
  });
});

describe('chooseYScale', () => {
  it('switches to log when positive values span more than two decades', () => {
    const s = chooseYScale(extentOf([[5, 1, 0.02]]), { allowLog: true });
    expect(s).toMatchObject({ type: 'log', min: 0.01, max: 10 });
  });

  it('stays linear at two decades or less, with round ends and interval', () => {
    const s = chooseYScale(extentOf([[0.9, 0.5, 0.0091]]), { allowLog: true });
    expect(s.type).toBe('value');
    expect(s.min).toBe(0);
    expect(s.max).toBeGreaterThanOrEqual(0.9);
    expect(Number.isInteger(Math.round((s.max - s.min) / s.interval! * 1e9) / 1e9)).toBe(true);
  });

  it('never uses log for values at or below zero, nor when not allowed', () => {
    expect(chooseYScale(extentOf([[-1, 100, 0.001]]), { allowLog: true }).type).toBe('value');
    expect(chooseYScale(extentOf([[100, 0.001]]), { allowLog: false }).type).toBe('value');
  });

  it('keeps zeros on a log axis when the positive values span enough (loss logged as 0.0)', () => {
    expect(chooseYScale(extentOf([[0.85, 0.001, 0]]), { allowLog: true })).toMatchObject({ type: 'log', min: 0.001, max: 1 });
  });

  it('clamps accuracy inside [0, 1]', () => {
    const s = chooseYScale(extentOf([[0.1, 0.99]]), { bounds: [0, 1] });
    expect(s.min).toBe(0);
    expect(s.max).toBe(1);
  });

  it('gives a placeholder range without finite values', () => {
    expect(chooseYScale(extentOf([[NaN, Infinity]]))).toMatchObject({ hasData: false, min: 0, max: 1 });
  });

  it('maps values to pixels on linear and log axes', () => {
    expect(toPixel({ type: 'value', min: 0, max: 10, hasData: true }, 5, 100, 200)).toBe(150);
    expect(toPixel({ type: 'log', min: 0.01, max: 100, hasData: true }, 1, 0, 400)).toBeCloseTo(200);
  });

  it('niceStep rounds up to 1, 2, 2.5 or 5 × 10^k', () => {
    expect([0.7, 1.5, 2.2, 4, 7, 0.03].map(niceStep)).toEqual([1, 2, 2.5, 5, 10, 0.05]);
  });

  it('sampledPositiveQuantile ignores non-positive and non-finite values', () => {
    expect(sampledPositiveQuantile([0, NaN, 1, 2, 3, 4], 0.25)).toBe(2);
  });
});

describe('smoothing', () => {
  it('emaSmooth is bias-corrected and passes NaN through', () => {
    const out = emaSmooth([4, 4, NaN, 4], 10);
    expect(out[0]).toBe(4);
    expect(Number.isNaN(out[2])).toBe(true);
    expect(out[3]).toBeCloseTo(4);
  });

  it('emaSampled matches emaSmooth at the indices it keeps, and keeps the edges of NaN runs', () => {
    const r = rng(3);
    const v = Float64Array.from({ length: 5000 }, () => r());
    for (let i = 2000; i < 2100; i++) v[i] = NaN;
    const full = emaSmooth(v, 20);
    const s = emaSampled(v, 20, 200);
    expect(s.indices.length).toBeLessThan(260);
    expect([...s.indices]).toEqual(expect.arrayContaining([0, 1999, 2000, 2099, 2100, 4999]));
    s.indices.forEach((i, k) => {
      if (Number.isFinite(full[i])) expect(s.values[k]).toBeCloseTo(full[i]!, 10);
      else expect(Number.isNaN(s.values[k])).toBe(true);
    });
  });

  it('emaSampled folds long runs in blocks without visible error, gaps still exact', () => {
    const r = rng(5);
    const n = 200_000;
    const v = Float64Array.from({ length: n }, (_, i) => Math.exp(-i / 40_000) + 0.2 * r());
    for (let i = 150_000; i < 150_010; i++) v[i] = NaN;
    const full = emaSmooth(v, 2000);
    const s = emaSampled(v, 2000, 1500);
    expect(s.indices.length).toBeLessThan(1600);
    expect([...s.indices]).toEqual(expect.arrayContaining([0, 149_999, 150_000, 150_009, 150_010, n - 1]));
    let worst = 0;
    s.indices.forEach((i, k) => {
      if (Number.isFinite(full[i])) worst = Math.max(worst, Math.abs(s.values[k]! - full[i]!));
    });
    expect(worst).toBeLessThan(0.002); // 0.2 % of the curve's range: under a pixel at chart height
  });

  it('emaSampled in log space is a geometric mean: a constant ratio stays a straight line', () => {
    const v = Float64Array.from({ length: 1000 }, (_, i) => 10 ** (-i / 250));
    const s = emaSampled(v, 10, 100, 1e-9);
    // A geometric EMA of a geometric series lags by a constant factor, so consecutive ratios are constant.
    const r1 = s.values[20]! / s.values[10]!;
    const r2 = s.values[60]! / s.values[50]!;
    expect(r1).toBeCloseTo(r2, 6);
  });

  it('isNoisy tells a zig-zag from a smooth curve', () => {
    const r = rng(9);
    expect(isNoisy(Array.from({ length: 200 }, (_, i) => Math.exp(-i / 50)))).toBe(false);
    expect(isNoisy(Array.from({ length: 200 }, (_, i) => Math.exp(-i / 50) + r()))).toBe(true);
    expect(isNoisy([1, 3, 1, 3])).toBe(false); // too short to judge
  });

  it('displaySpan grows with the run', () => {
    expect(displaySpan(10)).toBe(4);
    expect(displaySpan(400)).toBe(20);
    expect(displaySpan(1_000_000)).toBe(10_000);
  });
});

describe('label layout', () => {
  it('puts overlapping labels in separate rows and keeps them inside the bounds', () => {
    const placed = layoutLabels(
      [
        { x: 100, width: 80, anchor: 'middle' },
        { x: 110, width: 80, anchor: 'middle' },
        { x: 400, width: 80, anchor: 'middle' },
        { x: 795, width: 80, anchor: 'middle' },
      ],
      { left: 60, right: 780 },
      3,
    );
    expect(placed[0]!.row).toBe(0);
    expect(placed[1]!.row).toBe(1);
    expect(placed[2]!.row).toBe(0);
    expect(placed[3]!.left + 80).toBeLessThanOrEqual(780);
  });

  it('leaves a label out (row -1) when every row is taken', () => {
    const reqs = Array.from({ length: 4 }, () => ({ x: 300, width: 100, anchor: 'middle' as const }));
    expect(layoutLabels(reqs, { left: 0, right: 800 }, 3).map((p) => p.row)).toEqual([0, 1, 2, -1]);
  });

  it('fitText shortens with an ellipsis to the width', () => {
    const long = 'Validation loss rises after epoch 12 while training loss keeps falling';
    const t = fitText(long, 200, 11);
    expect(t.endsWith('…')).toBe(true);
    expect(textWidth(t, 11)).toBeLessThanOrEqual(200);
    expect(fitText('short', 200, 11)).toBe('short');
  });
});
