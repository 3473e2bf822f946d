/**
 * A custom-model job's training throughput beside the same preset's (issue 19): the seed-cnn preset and the same
 * network uploaded as a Keras 3 to_json() (test/fixtures/models/keras3-seed-cnn.json) with the same MNIST digits as an
 * .npz, one job-loop epoch each (batch 32, Adam 1e-3) on the native backend, in fresh processes, alternated and
 * repeated (REPEATS each; the best counts: a shared 2-core machine moves single runs by ±20 %). Target: the custom
 * job within 10 % of the preset. Skipped, with the reason, when @tensorflow/tfjs-node does not load.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLES = Number(process.env.TRAIN_CUSTOM_BENCH_N ?? 8000);
const BATCH = 32;
const REPEATS = 3;

function worker(mode: 'preset' | 'custom'): Record<string, unknown> | { error: string } {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(here, 'train/custom-model-worker.ts'), 'tensorflow', mode, String(EXAMPLES), String(BATCH)], {
    encoding: 'utf8',
    timeout: 20 * 60_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) return { error: (r.error?.message ?? r.stderr.trim().split('\n').slice(-2).join(' | ')) || `exit ${r.status}` };
  return JSON.parse(line) as Record<string, unknown>;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export default async function bench(): Promise<Record<string, unknown>> {
  const loadAtStart = os.loadavg()[0];
  const runs: Record<'preset' | 'custom', Record<string, unknown>[]> = { preset: [], custom: [] };
  for (let k = 0; k < REPEATS; k++) {
    for (const mode of ['preset', 'custom'] as const) {
      console.log(`${mode} (${k + 1}/${REPEATS}), ${EXAMPLES} digits…`);
      const r = worker(mode);
      if ('error' in r) return { available: false, error: r.error, loadAverage1mAtStart: loadAtStart };
      if (r.backend !== 'tensorflow') return { available: false, error: `the native backend did not load (${String(r.backend)} ran)` };
      runs[mode].push(r);
    }
  }
  const best = (mode: 'preset' | 'custom') => runs[mode].reduce((a, b) => ((b.samplesPerSecond as number) > (a.samplesPerSecond as number) ? b : a));
  const p = best('preset');
  const c = best('custom');
  const ratio = (c.samplesPerSecond as number) / (p.samplesPerSecond as number);
  return {
    backend: 'tensorflow',
    examples: EXAMPLES,
    batchSize: BATCH,
    repeats: REPEATS,
    summary: {
      presetSamplesPerSecond: round1(p.samplesPerSecond as number),
      customSamplesPerSecond: round1(c.samplesPerSecond as number),
      customToPreset: Math.round(ratio * 1000) / 1000,
      withinTenPercent: ratio >= 0.9,
      presetStepMode: p.stepMode,
      customStepMode: c.stepMode,
      presetParams: p.params,
      customParams: c.params,
      customSetupSeconds: round1(c.setupSeconds as number),
      presetSetupSeconds: round1(p.setupSeconds as number),
    },
    runs,
    loadAverage1mAtStart: loadAtStart,
    loadAverage1m: os.loadavg()[0],
  };
}
