/**
 * Chart rendering, warm: a step-level run with a million-step training loss (plus its lr and 1,000 evaluations)
 * and a 100-epoch Keras-like run. Each figure is the median of several renders after warm-up, split into the stages
 * (plan: downsampling and layout; svg: ECharts SSR; png: resvg) so a regression points at its stage.
 * Target (issue 4): ≤ 150 ms for the million-point chart.
 */
import type { Series } from '../src/domain/run.ts';
import type { Verdict } from '../src/domain/verdict.ts';
import { planRunChart, type ChartRun } from '../src/charts/run-chart.ts';
import { renderOptionToSvg } from '../src/charts/render-svg.ts';
import { rasterise } from '../src/charts/rasterise.ts';
import { createRng } from '../src/jobs/rng.ts';

function series(key: string, split: Series['split'], values: Float64Array, steps: Float64Array, epochs: Float64Array | null, cadence: Series['cadence']): Series {
  return { key, split, name: split === 'train' ? key : `${split}_${key}`, direction: key === 'accuracy' ? 'higher' : 'lower', cadence, steps, epochs, wallTimes: null, values };
}

/** Deterministic noise (the jobs' seeded mulberry32) so every bench run draws the same chart. */
const rng = (seed: number): (() => number) => createRng(seed).next;

export function millionStepRun(): ChartRun {
  const n = 1_000_000;
  const r = rng(42);
  const steps = new Float64Array(n);
  const epochs = new Float64Array(n);
  const loss = new Float64Array(n);
  const lr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = i + 1;
    epochs[i] = ((i + 1) / n) * 10;
    loss[i] = 3 * Math.exp(-i / 150_000) + 0.05 + 0.1 * r() * Math.exp(-i / 300_000) + 0.02 * r();
    lr[i] = i < 10_000 ? (5e-4 * i) / 10_000 : 5e-4 * (1 - (i - 10_000) / (n - 10_000));
  }
  loss[612_345] = 25;
  const m = 1000;
  const evalSteps = Float64Array.from({ length: m }, (_, k) => (k + 1) * 1000);
  const evalEpochs = Float64Array.from(evalSteps, (s) => (s / n) * 10);
  const valLoss = Float64Array.from(evalSteps, (s) => 3 * Math.exp(-s / 150_000) + 0.12 + 0.00000015 * Math.max(0, s - 400_000) + 0.01 * r());
  const valAcc = Float64Array.from(valLoss, (v) => 1 - v / 4);
  return {
    name: 'million-step-run',
    series: [
      series('loss', 'train', loss, steps, epochs, 'step'),
      series('lr', 'train', lr, steps, epochs, 'step'),
      series('loss', 'val', valLoss, evalSteps, evalEpochs, 'epoch'),
      series('accuracy', 'val', valAcc, evalSteps, evalEpochs, 'epoch'),
    ],
  };
}

function hundredEpochRun(): ChartRun {
  const n = 100;
  const r = rng(7);
  const e = Float64Array.from({ length: n }, (_, i) => i);
  const loss = Float64Array.from(e, (i) => 1.5 * Math.exp(-i / 15) + 0.2 + 0.01 * r());
  const valLoss = Float64Array.from(e, (i) => 1.2 * Math.exp(-i / 10) + 0.5 + 0.00004 * Math.max(0, i - 40) ** 2 + 0.02 * r());
  return {
    name: 'hundred-epoch-run',
    series: [
      series('loss', 'train', loss, e, e, 'epoch'),
      series('loss', 'val', valLoss, e, e, 'epoch'),
      series('accuracy', 'train', Float64Array.from(loss, (v) => 1 - v / 2), e, e, 'epoch'),
      series('accuracy', 'val', Float64Array.from(valLoss, (v) => 1 - v / 2), e, e, 'epoch'),
      series('lr', 'train', Float64Array.from(e, (i) => (i < 50 ? 1e-3 : 1e-4)), e, e, 'epoch'),
    ],
  };
}

function verdictFor(run: ChartRun, onset: number, to: number): Verdict {
  return {
    run: { id: run.name, name: run.name, format: 'push', points: 0, epochs: null },
    status: 'fail',
    items: [
      {
        id: 'overfitting',
        area: 'generalization',
        status: 'fail',
        title: 'val_loss rises while loss keeps falling',
        evidence: {},
        fix: '',
        marks: [
          { series: 'val_loss', step: onset, label: 'overfitting starts' },
          { series: 'val_loss', step: onset, label: 'best val_loss', kind: 'point' },
          { series: 'val_loss', step: onset + (to - onset) / 10, toStep: to, label: 'saved by early stopping', kind: 'band' },
        ],
      },
    ],
  };
}

interface Stages {
  totalMs: number;
  planMs: number;
  svgMs: number;
  pngMs: number;
  cpuMs: number;
}

function renderOnce(run: ChartRun, verdict: Verdict): Stages {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const plan = planRunChart(run, verdict);
  const t1 = performance.now();
  const svg = renderOptionToSvg(plan.option, plan.width, plan.height);
  const t2 = performance.now();
  rasterise(svg);
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return { totalMs: t3 - t0, planMs: t1 - t0, svgMs: t2 - t1, pngMs: t3 - t2, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.floor(s.length / 2)]!.toFixed(1));
}

function measure(run: ChartRun, verdict: Verdict, warmup: number, runs: number): Stages & { minTotalMs: number } {
  for (let i = 0; i < warmup; i++) renderOnce(run, verdict);
  const samples = Array.from({ length: runs }, () => renderOnce(run, verdict));
  const pick = (k: keyof Stages) => median(samples.map((s) => s[k]));
  return {
    totalMs: pick('totalMs'),
    minTotalMs: Number(Math.min(...samples.map((s) => s.totalMs)).toFixed(1)),
    planMs: pick('planMs'),
    svgMs: pick('svgMs'),
    pngMs: pick('pngMs'),
    cpuMs: pick('cpuMs'),
  };
}

export default async function chartsBench(): Promise<Record<string, unknown>> {
  const big = millionStepRun();
  const small = hundredEpochRun();
  const bigPoints = big.series.reduce((n, s) => n + s.values.length, 0);
  const smallPoints = small.series.reduce((n, s) => n + s.values.length, 0);
  const smallResult = measure(small, verdictFor(small, 40, 99), 5, 15);
  const bigResult = measure(big, verdictFor(big, 400_000, 1_000_000), 3, 9);
  const loadAverage1m = (await import('node:os')).loadavg()[0];
  return {
    millionPointRun: { points: bigPoints, ...bigResult, targetMs: 150, wallMeetsTarget: bigResult.totalMs <= 150, cpuMeetsTarget: bigResult.cpuMs <= 150 },
    hundredPointRun: { points: smallPoints, ...smallResult },
    loadAverage1m: Number(loadAverage1m?.toFixed(2)),
    note: 'median of warm renders, 800×450 at scale 1; cpuMs is process CPU time, less sensitive than wall time to other load on the machine',
  };
}
