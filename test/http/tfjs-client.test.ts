/**
 * The copy-paste TensorFlow.js callback (examples/clients/tfjs-callback.js) in its own node process, given to a real
 * `model.fit` of @tensorflow/tfjs (a tiny dense model, 2 epochs, CPU backend), against the API over a real socket.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/real-logs.ts';
import { ApiHarness, CLIENTS_DIR, runClient, type ClientOutput } from './api-harness.ts';

function hasTfjs(): boolean {
  try {
    createRequire(path.join(REPO_ROOT, 'package.json')).resolve('@tensorflow/tfjs');
    return true;
  } catch {
    return false;
  }
}
const TFJS = hasTfjs();
if (!TFJS) console.warn('tfjs-client.test: skipped, @tensorflow/tfjs is not installed (npm ci)');

// Run from the repo root, so `@tensorflow/tfjs` resolves as it would in a user's project.
const SCRIPT = `
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
const [clientFile, url, token] = process.argv.slice(1);
const { runmedicCallback } = await import(pathToFileURL(clientFile).href);
await tf.setBackend('cpu');
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
                                       tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })] });
model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy', metrics: ['acc'] });
const xs = tf.randomNormal([40, 8], 0, 1, 'float32', 3);
const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 40 }, (_, i) => i % 3), 'int32'), 3);
const cb = await runmedicCallback('tfjs-mlp', { url, token, config: { learningRate: 0.05, batchSize: 10, epochs: 2 }, classes: 3 });
const history = await model.fit(xs, ys, { epochs: 2, batchSize: 10, validationSplit: 0.25, callbacks: cb, verbose: 0 });
const refused = await runmedicCallback('tfjs-refused', { url, token: 'rmk_revoked' });
const after = await model.fit(xs, ys, { epochs: 1, batchSize: 10, callbacks: refused, verbose: 0 });
console.log('RESULT ' + JSON.stringify({ id: cb.runId, history: history.history, refusedId: refused.runId ?? null, refusedEpochs: after.epoch.length }));
`;

describe.skipIf(!TFJS)('TensorFlow.js callback client, a real tfjs model.fit in node', () => {
  let h: ApiHarness;
  let js: ClientOutput;
  beforeAll(async () => {
    h = await ApiHarness.start();
    const token = await h.token('999999999999999999');
    js = await runClient(process.execPath, ['--input-type=module', '-e', SCRIPT, path.join(CLIENTS_DIR, 'tfjs-callback.js'), h.api.url, token], {
      cwd: REPO_ROOT,
      timeoutMs: 60_000,
    });
    console.info(`tfjs-client.test: node + tfjs fit took ${js.ms} ms`);
  }, 70_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('creates the run with its name, framework, config and classes, and finishes it at onTrainEnd', async () => {
    const run = (await h.runs.getRun(js.result.id))!;
    expect(run.name).toBe('tfjs-mlp');
    expect(run.status).toBe('finished');
    expect(run.meta).toMatchObject({ framework: 'tfjs', config: { learningRate: 0.05, batchSize: 10, epochs: 2 } });
    expect((await h.push.pushedRun(run.id))?.context).toEqual({ config: { learningRate: 0.05, batchSize: 10, epochs: 2 }, classes: 3 });
  });

  it('stores one point per epoch for each metric fit reported, with the values of its history', async () => {
    const run = (await h.runs.getRun(js.result.id))!;
    const history: Record<string, number[]> = js.result.history;
    expect(Object.keys(history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    expect(run.series.map((s) => s.name).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    for (const s of run.series) {
      expect([...s.steps]).toEqual([0, 1]);
      expect([...s.epochs!]).toEqual([0, 1]);
      expect(s.cadence).toBe('epoch');
      expect([...s.values]).toEqual(history[s.name]);
    }
  });

  it('lets fit run to the end when the server refuses the token', async () => {
    expect(js.result.refusedId).toBeNull();
    expect(js.result.refusedEpochs).toBe(1);
    expect(js.stderr).toContain('runmedic: /api/v1/runs 401');
    expect((await h.runs.listRuns()).map((r) => r.name)).toEqual(['tfjs-mlp']);
  });
});
