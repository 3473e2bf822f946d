/**
 * One measurement in a fresh process (so backends do not share a heap or thread pool):
 *   tsx bench/train/seed-cnn-worker.ts <backend> fit <examples> <batch>   → seed CNN, model.fit, one epoch
 *   tsx bench/train/seed-cnn-worker.ts <backend> job <examples> <batch>   → the instrumented job loop, one epoch, same digits
 *                                                                            (on tfjs-node: one TensorFlow graph per step)
 *   tsx bench/train/seed-cnn-worker.ts <backend> job-eager <examples> <batch> → the same, op by op through tfjs
 *   tsx bench/train/seed-cnn-worker.ts <backend> ops <examples> <batch>   → the op-by-op loop's native ops per batch, by name
 *   tsx bench/train/seed-cnn-worker.ts <backend> matmul <n>               → n×n float32 matmul
 * Prints one JSON line.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { loadBackend, type BackendName } from '../../src/jobs/backend.ts';
import { loadMnist, takeBalanced } from '../../src/jobs/dataset.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';
import { prepareData } from '../../src/jobs/prepare-data.ts';
import { trainModel } from '../../src/jobs/train-model.ts';
import { buildModel } from '../../src/jobs/build-model.ts';

const [backendArg, mode, nArg, batchArg] = process.argv.slice(2);
const backend = await loadBackend([backendArg as BackendName]);
const n = Number(nArg);
const batch = Number(batchArg ?? 32);

if (mode === 'matmul') {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  tf.matMul(a, b).dataSync();
  let reps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 3000 || reps < 2) {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    reps++;
  }
  const s = (performance.now() - t0) / 1000 / reps;
  console.log(JSON.stringify({ backend: backend.name, n, seconds: s, gflops: (2 * n ** 3) / s / 1e9, loadAverage1m: os.loadavg()[0] }));
} else if (mode === 'fit') {
  const ds = takeBalanced(loadMnist(), n);
  const config = resolveJobConfig('seed-cnn', { batchSize: batch });
  const { model } = buildModel(config, ds.inputShape, 10);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.tensor4d(ds.x, [n, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(ds.y, 'int32'), 10);
  // One warm-up batch: kernel compilation / first-call costs are not throughput.
  await model.fit(x.slice(0, batch), y.slice(0, batch), { epochs: 1, batchSize: batch, verbose: 0 });
  const t0 = performance.now();
  const h = await model.fit(x, y, { epochs: 1, batchSize: batch, shuffle: true, verbose: 0 });
  const s = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ backend: backend.name, mode, examples: n, batch, seconds: s, samplesPerSecond: n / s, loss: h.history.loss![0], loadAverage1m: os.loadavg()[0] }));
} else if (mode === 'ops') {
  // Where a batch of the job loop goes on tfjs-node: every native TensorFlow op (TFE_Execute through the N-API
  // binding) timed by name, between the 4th and the last batch (shouldStop is called once after each batch).
  const ds = takeBalanced(loadMnist(), n);
  const config = resolveJobConfig('seed-cnn', { batchSize: batch, epochs: 1, validationSplit: 0 });
  const be = tf.backend() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const ops = new Map<string, { calls: number; ms: number }>();
  let recording = false;
  for (const method of ['executeSingleOutput', 'executeMultipleOutputs']) {
    const original = be[method]!.bind(be);
    be[method] = (name: unknown, ...rest: unknown[]) => {
      if (!recording) return original(name, ...rest);
      const t0 = performance.now();
      const out = original(name, ...rest);
      const o = ops.get(name as string) ?? { calls: 0, ms: 0 };
      o.calls++;
      o.ms += performance.now() - t0;
      ops.set(name as string, o);
      return out;
    };
  }
  const batches = Math.ceil(n / batch);
  const first = 4;
  let ended = 0;
  let t0 = 0;
  let wall = 0;
  const cpu0 = { v: process.cpuUsage() };
  let cpuMs = 0;
  await trainModel(config, { train: ds, val: null, shuffle: true, notes: [] }, backend.name, {
    shouldStop: () => {
      ended++;
      if (ended === first) {
        recording = true;
        t0 = performance.now();
        cpu0.v = process.cpuUsage();
      } else if (ended === batches - 1) {
        recording = false;
        wall = performance.now() - t0;
        const c = process.cpuUsage(cpu0.v);
        cpuMs = (c.user + c.system) / 1000;
      }
      return false;
    },
  }, { eagerOnly: true });
  const measured = batches - 1 - first;
  const rows = [...ops.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const nativeMs = rows.reduce((a, [, o]) => a + o.ms, 0);
  console.log(
    JSON.stringify({
      backend: backend.name,
      mode,
      batches: measured,
      batch,
      msPerBatch: wall / measured,
      processCpuMsPerBatch: cpuMs / measured,
      nativeOpsPerBatch: rows.reduce((a, [, o]) => a + o.calls, 0) / measured,
      nativeMsPerBatch: nativeMs / measured,
      outsideNativeMsPerBatch: (wall - nativeMs) / measured,
      perOp: Object.fromEntries(rows.map(([name, o]) => [name, { callsPerBatch: o.calls / measured, msPerBatch: Math.round((o.ms / measured) * 1000) / 1000 }])),
      loadAverage1m: os.loadavg()[0],
    }),
  );
} else {
  // The job loop runmedic runs (src/jobs/train-model.ts, with its per-batch instrumentation) on the same digits
  // as fit and PyTorch: no validation split, so the epoch is exactly these n examples.
  const ds = takeBalanced(loadMnist(), n);
  const config = resolveJobConfig('seed-cnn', { batchSize: batch, epochs: 1, validationSplit: 0 });
  const r = await trainModel(config, { train: ds, val: null, shuffle: true, notes: [] }, backend.name, {}, { eagerOnly: mode === 'job-eager' });
  console.log(
    JSON.stringify({
      backend: backend.name,
      mode,
      stepMode: r.meta.stepMode,
      examples: r.meta.trainSize,
      batch,
      optimizer: config.optimizer,
      learningRate: config.learningRate,
      samplesPerSecond: r.meta.samplesPerSecond,
      loss: r.series.find((s) => s.name === 'loss')!.values[0],
      loadAverage1m: os.loadavg()[0],
    }),
  );
}
