/**
 * One job-loop epoch in a fresh process, for bench/train-custom.bench.ts:
 *   tsx bench/train/custom-model-worker.ts <backend> preset <examples> <batch>  → the seed-cnn preset on MNIST digits
 *   tsx bench/train/custom-model-worker.ts <backend> custom <examples> <batch>  → the same network as a team's Keras 3
 *       to_json() (test/fixtures/models/keras3-seed-cnn.json) on the same digits uploaded as an .npz, set up as a
 *       custom job's child sets it up (file parsed, model rewritten for training, data read by the data checks' reader)
 * Same digits, batch, Adam 1e-3, no validation, one epoch. Prints one JSON line.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadBackend, type BackendName } from '../../src/jobs/backend.ts';
import { loadMnist, takeBalanced } from '../../src/jobs/dataset.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';
import { prepareData } from '../../src/jobs/prepare-data.ts';
import { trainModel, type TrainResult } from '../../src/jobs/train-model.ts';
import { customJobConfig } from '../../src/app/custom-job-config.ts';
import { setUpCustomJob } from '../../src/jobs/custom/custom-job.ts';
import { npyBytes, npzBytes } from '../../test/support/npy-files.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const [backendArg, mode, nArg, batchArg] = process.argv.slice(2);
const backend = await loadBackend([backendArg as BackendName]);
const n = Number(nArg);
const batch = Number(batchArg ?? 32);
const settings = { batchSize: batch, epochs: 1, validationSplit: 0, limit: n };

const t0 = performance.now();
let result: TrainResult;
let setupSeconds: number;
if (mode === 'preset') {
  const config = resolveJobConfig('seed-cnn', settings);
  const data = prepareData(config);
  setupSeconds = (performance.now() - t0) / 1000;
  result = await trainModel(config, data, backend.name);
} else {
  const ds = takeBalanced(loadMnist(), n);
  const npz = npzBytes({ x: npyBytes(ds.x, [n, 28, 28], '<f4'), y: npyBytes(ds.y, [n], '<i8') });
  const model = readFileSync(path.join(here, '..', '..', 'test', 'fixtures', 'models', 'keras3-seed-cnn.json'));
  const config = customJobConfig({ modelBytes: model, modelName: 'keras3-seed-cnn.json', dataBytes: npz, dataName: 'digits.npz', maxBytes: 1 << 30 }, settings);
  const s = await setUpCustomJob(tf, config);
  setupSeconds = (performance.now() - t0) / 1000;
  result = await trainModel(config, s.data, backend.name, {}, { built: s.built });
}
const m = result.meta;
console.log(
  JSON.stringify({
    backend: backend.name,
    mode,
    examples: m.trainSize,
    batch,
    stepMode: m.stepMode,
    samplesPerSecond: m.samplesPerSecond,
    setupSeconds,
    epochLoss: result.series.find((s) => s.name === 'loss')!.values[0],
    params: result.context.model?.params,
    loadAverage1m: os.loadavg()[0],
  }),
);
