/**
 * Property test of the three renderers (run chart, compare chart, digest grid) on generated series: extreme
 * magnitudes (±1e308, float32's edge), denormals, single points, constant series, mixed NaN/±Inf, steps and epochs
 * that are huge, unsorted or absurd, and verdict marks anywhere. Every input must come out as a PNG, through the real
 * rasteriser: resvg aborts the whole process on some coordinates (a -1e308 loss did, issue 17), so a regression here
 * kills the test worker rather than failing politely. Seeded: the same cases every run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Cadence, Series, Split } from '../../src/domain/run.ts';
import type { Mark, Verdict } from '../../src/domain/verdict.ts';
import { renderRunChart, planRunChart, type ChartRun } from '../../src/charts/run-chart.ts';
import { renderCompareChart } from '../../src/charts/compare-chart.ts';
import { renderDigestGrid, type DigestStatus } from '../../src/charts/digest-grid.ts';
import { findUndrawable } from '../../src/charts/drawable.ts';
import { renderOptionToSvg } from '../../src/charts/render-svg.ts';
import { rasterise } from '../../src/charts/rasterise.ts';
import { pngSize } from './png.ts';

// `npm run soak` runs more cases from other seeds: CHART_PROPERTY_SEED, CHART_PROPERTY_RUNS (a multiplier).
const SEED = Number(process.env.CHART_PROPERTY_SEED) || 1717;
const MORE = Number(process.env.CHART_PROPERTY_RUNS) || 1;

const EXTREMES = [
  -1e308, 1e308, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300,
  3.4028234663852886e38, 3.5e38, -3.5e38, 1e38, -1e38, 1e15, -1e15, NaN, Infinity, -Infinity, 0, -0,
];

const value = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.constantFrom(...EXTREMES) },
);

type Shape = { kind: 'random'; values: number[] } | { kind: 'constant'; v: number; n: number } | { kind: 'curve'; n: number; spikes: Array<[number, number]> };

const shape: fc.Arbitrary<Shape> = fc.oneof(
  fc.record({ kind: fc.constant('random' as const), values: fc.array(value, { minLength: 1, maxLength: 80 }) }),
  fc.record({ kind: fc.constant('constant' as const), v: value, n: fc.integer({ min: 1, max: 60 }) }),
  fc.record({
    kind: fc.constant('curve' as const),
    n: fc.integer({ min: 1, max: 400 }),
    spikes: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), value), { maxLength: 4 }),
  }),
);

function valuesOf(s: Shape): Float64Array {
  if (s.kind === 'random') return Float64Array.from(s.values);
  if (s.kind === 'constant') return new Float64Array(s.n).fill(s.v);
  const out = Float64Array.from({ length: s.n }, (_, i) => 2 * Math.exp(-i / 40) + 0.1 + 0.05 * Math.sin(i * 1.7));
  for (const [at, v] of s.spikes) out[Math.min(s.n - 1, Math.floor(at * s.n))] = v;
  return out;
}

type StepPlan = { kind: 'index'; base: 0 | 1 } | { kind: 'scaled'; factor: number; offset: number } | { kind: 'arbitrary'; xs: number[] };

const stepPlan: fc.Arbitrary<StepPlan> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('index' as const), base: fc.constantFrom(0 as const, 1 as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('scaled' as const),
      factor: fc.constantFrom(1, 10, 1000, 1e-9, 1e15, 1e300),
      offset: fc.constantFrom(0, 1e20, -1e6, 1e300),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('arbitrary' as const), xs: fc.array(value, { minLength: 1, maxLength: 80 }) }) },
);

function stepsOf(p: StepPlan, n: number): Float64Array {
  if (p.kind === 'index') return Float64Array.from({ length: n }, (_, i) => i + p.base);
  if (p.kind === 'scaled') return Float64Array.from({ length: n }, (_, i) => p.offset + i * p.factor);
  return Float64Array.from({ length: n }, (_, i) => p.xs[i % p.xs.length]!);
}

const KEYS: Array<{ key: string; split: Split }> = [
  { key: 'loss', split: 'train' },
  { key: 'loss', split: 'val' },
  { key: 'accuracy', split: 'val' },
  { key: 'lr', split: 'train' },
  { key: 'perplexity', split: 'val' },
];

const seriesArb: fc.Arbitrary<Series> = fc
  .record({
    which: fc.integer({ min: 0, max: KEYS.length - 1 }),
    values: shape,
    steps: stepPlan,
    epochs: fc.constantFrom('none', 'same', 'fraction', 'absurd'),
    cadence: fc.constantFrom<Cadence>('epoch', 'step'),
  })
  .map(({ which, values, steps, epochs, cadence }) => {
    const { key, split } = KEYS[which]!;
    const v = valuesOf(values);
    const st = stepsOf(steps, v.length);
    const ep =
      epochs === 'none' ? null : epochs === 'same' ? Float64Array.from(st) : epochs === 'fraction' ? Float64Array.from(st, (_, i) => (i / Math.max(1, v.length)) * 3) : Float64Array.from(st, (_, i) => (i % 7 === 3 ? -1e308 : i));
    return { key, split, name: split === 'train' ? key : `${split}_${key}`, direction: key === 'accuracy' ? 'higher' : 'lower', cadence, steps: st, epochs: ep, wallTimes: null, values: v } satisfies Series;
  });

const runArb: fc.Arbitrary<ChartRun> = fc.record({ name: fc.string({ maxLength: 30 }), series: fc.array(seriesArb, { minLength: 0, maxLength: 4 }) });

const markArb: fc.Arbitrary<Mark> = fc.record(
  {
    series: fc.constantFrom('loss', 'val_loss', 'val_accuracy', 'lr', 'nope'),
    step: value,
    label: fc.string({ maxLength: 40 }),
    kind: fc.constantFrom('line' as const, 'point' as const, 'band' as const),
    value,
    toStep: value,
  },
  { requiredKeys: ['series', 'step', 'label'] },
);

const verdictArb: fc.Arbitrary<Verdict | null> = fc.option(
  fc.array(fc.record({ status: fc.constantFrom('fail' as const, 'warn' as const, 'pass' as const, 'unknown' as const), marks: fc.array(markArb, { maxLength: 4 }) }), { maxLength: 3 }).map((items) => ({
    run: { id: 'r_prop', name: 'prop', format: 'push', points: 0, epochs: null },
    status: items.some((i) => i.status === 'fail') ? ('fail' as const) : items.some((i) => i.status === 'warn') ? ('warn' as const) : ('pass' as const),
    items: items.map((i, k) => ({ id: `item_${k}`, area: 'convergence' as const, status: i.status, title: `finding ${k}`, evidence: {}, fix: '', marks: i.marks })),
  })),
);

function expectPng(png: Uint8Array, width: number, height: number): void {
  expect(pngSize(png)).toEqual({ width, height });
}

describe('chart renderers on generated series (property)', () => {
  it('the run chart draws any run and verdict', { timeout: 120_000 * MORE }, () => {
    fc.assert(
      fc.property(runArb, verdictArb, fc.constantFrom(1, 1, 1, 2), (run, verdict, scale) => {
        const img = renderRunChart(run, verdict, { scale });
        expectPng(img.png, 800 * scale, 450 * scale);
        // The sanitiser, not the last-resort check, keeps every coordinate in reach.
        expect(findUndrawable(img.svg, 800, 450)).toBeNull();
      }),
      { seed: SEED, numRuns: 90 * MORE },
    );
  });

  it('the compare chart draws any one to six runs', { timeout: 120_000 * MORE }, () => {
    fc.assert(
      fc.property(fc.array(runArb, { minLength: 1, maxLength: 6 }), (runs) => {
        const img = renderCompareChart(runs);
        expectPng(img.png, 800, 450);
        expect(findUndrawable(img.svg, 800, 450)).toBeNull();
      }),
      { seed: SEED, numRuns: 45 * MORE },
    );
  });

  it('the digest grid draws any set of runs', { timeout: 120_000 * MORE }, () => {
    const status = fc.constantFrom<DigestStatus>('fail', 'warn', 'pass', 'unknown', 'running', 'stalled');
    fc.assert(
      fc.property(fc.array(fc.record({ run: runArb, status, caption: fc.option(fc.string({ maxLength: 50 }), { nil: undefined }) }), { maxLength: 9 }), (items) => {
        const img = renderDigestGrid(items.map((i) => (i.caption === undefined ? { run: i.run, status: i.status } : i)));
        expect(findUndrawable(img.svg, img.width, img.height)).toBeNull();
        expectPng(img.png, img.width, img.height);
      }),
      { seed: SEED, numRuns: 30 * MORE },
    );
  });

  it('the issue-17 log (one -1e308 among 30 losses) is drawn, its value marked off scale', () => {
    const values = Float64Array.from({ length: 30 }, (_, k) => (k === 0 ? 11700.3 : k === 15 ? -1e308 : 1 / (k + 1)));
    const steps = Float64Array.from({ length: 30 }, (_, k) => k);
    const run: ChartRun = { name: 'p', series: [{ key: 'loss', split: 'train', name: 'loss', direction: 'lower', cadence: 'epoch', steps, epochs: steps, wallTimes: null, values }] };
    const img = renderRunChart(run, null);
    expectPng(img.png, 800, 450);
    expect(img.svg).toContain('train loss -1e308 (off scale) at epoch 15');
    for (const r of [renderCompareChart([run, run]), renderDigestGrid([{ run, status: 'fail' }])]) expect(findUndrawable(r.svg, r.width, r.height)).toBeNull();
  });

  it('a run named "__proto__" leaves later charts intact (zrender caches texts in a plain object)', () => {
    renderRunChart({ name: '__proto__', series: [] }, null);
    renderCompareChart([{ name: '__proto__', series: [] }]);
    const after = renderRunChart({ name: 'next', series: [] }, null);
    expect(after.svg).not.toMatch(/ prev next/);
    expectPng(after.png, 800, 450);
  });

  it('ten million points with extremes sprinkled in draw in bounded time', { timeout: 60_000 }, () => {
    const n = 10_000_000;
    const steps = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      steps[i] = i;
      values[i] = 3 * Math.exp(-i / 2e6) + 0.05;
    }
    const odd = [-1e308, 1e308, NaN, Infinity, -Infinity, 5e-324, 3.5e38];
    for (let k = 0; k < odd.length; k++) values[Math.floor(((k + 1) * n) / (odd.length + 2))] = odd[k]!;
    const run: ChartRun = { name: 'ten-million', series: [{ key: 'loss', split: 'train', name: 'loss', direction: 'lower', cadence: 'step', steps, epochs: null, wallTimes: null, values }] };
    const started = performance.now();
    const plan = planRunChart(run, null);
    const svg = renderOptionToSvg(plan.option, plan.width, plan.height);
    expectPng(rasterise(svg), 800, 450);
    expect(findUndrawable(svg, 800, 450)).toBeNull();
    // The whole chart of 10^7 points: planning is linear and the drawing sees ~1,500 points a line.
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
