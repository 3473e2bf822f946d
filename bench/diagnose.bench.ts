/**
 * Engine speed: `diagnose` on generated step-level runs of 10 k, 100 k and 1 M points (4 series: train loss and
 * accuracy per step, val loss and accuracy at a tenth of the steps, per the usual logging mix).
 * Target (issue 3): ≤ 200 ms at 1 M points, growing linearly. Median (and best) of 15 timed calls after 5 warm-ups:
 * the machine is shared, so single timings are noisy.
 */
import { performance } from 'node:perf_hooks';
import { diagnose } from '../src/diagnose/index.ts';
import type { Series } from '../src/domain/run.ts';

const SIZES = [10_000, 100_000, 1_000_000];
const TARGET_MS_AT_1M = 200;
const RUNS = 15;

function series(name: string, key: string, split: 'train' | 'val', n: number, stepEvery: number, f: (t: number) => number, seed: number): Series {
  let s = seed;
  const noise = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5);
  const steps = new Float64Array(n);
  const epochs = new Float64Array(n);
  const values = new Float64Array(n);
  const perEpoch = Math.max(1, Math.round(n / 50));
  for (let i = 0; i < n; i++) {
    steps[i] = (i + 1) * stepEvery;
    epochs[i] = i / perEpoch;
    values[i] = f(i / n) * (1 + 0.2 * noise());
  }
  return { key, split, name, direction: key === 'accuracy' ? 'higher' : 'lower', cadence: split === 'train' ? 'step' : 'epoch', steps, epochs, wallTimes: null, values };
}

/** A run of `points` points over 4 series: 10/22 each for the two step-level train series, 1/22 each for val. */
export function makeRun(points: number) {
  const train = Math.round((points * 10) / 22);
  const val = Math.round((points - 2 * train) / 2);
  const every = train / val;
  return {
    id: `bench-${points}`,
    name: `bench-${points}`,
    format: 'push',
    series: [
      series('loss', 'loss', 'train', train, 1, (t) => 0.3 + 2 * Math.exp(-6 * t), 1),
      series('accuracy', 'accuracy', 'train', train, 1, (t) => Math.min(0.99, 0.95 - 0.8 * Math.exp(-5 * t)), 2),
      series('val_loss', 'loss', 'val', val, every, (t) => 0.4 + 2 * Math.exp(-5 * t) + 0.3 * Math.max(0, t - 0.6), 3),
      series('val_accuracy', 'accuracy', 'val', val, every, (t) => Math.min(0.99, 0.9 - 0.8 * Math.exp(-5 * t)), 4),
    ],
  };
}

export default async function bench(): Promise<Record<string, unknown>> {
  const results: Record<string, number> = {};
  for (const n of SIZES) {
    const run = makeRun(n);
    for (let i = 0; i < 5; i++) diagnose(run);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      diagnose(run);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(RUNS / 2)];
    results[`ms_${n}`] = Number(median.toFixed(1));
    results[`best_ms_${n}`] = Number(times[0].toFixed(1));
    console.log(`diagnose ${n.toLocaleString('en')} points: median ${median.toFixed(1)} ms, best ${times[0].toFixed(1)} ms (${RUNS} runs)`);
  }
  const ms1m = results.ms_1000000;
  return {
    ms_at_10k_points: results.ms_10000,
    ms_at_100k_points: results.ms_100000,
    ms_at_1m_points: ms1m,
    best_ms_at_10k_points: results.best_ms_10000,
    best_ms_at_100k_points: results.best_ms_100000,
    best_ms_at_1m_points: results.best_ms_1000000,
    // Linear growth check on the best times (least disturbed by other load): ms per extra million points.
    ms_per_million_points_marginal: Number((((results.best_ms_1000000 - results.best_ms_100000) / 900_000) * 1e6).toFixed(1)),
    target_ms_at_1m: TARGET_MS_AT_1M,
    meets_target: ms1m <= TARGET_MS_AT_1M,
  };
}
