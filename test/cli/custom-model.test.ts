/**
 * `runmedic sanity` and `runmedic lrfind` as processes, on a real Keras 3 to_json() model: a sound MLP on standardised Iris passes; the same
 * file edited to a one-unit softmax output trained with a regression loss (mse) cannot overfit one batch and ignores
 * its inputs; a layer TensorFlow.js cannot build and a model that does not fit the data are bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, type CliResult } from '../support/run-cli.ts';
import { ensureBuilt } from '../support/built.ts';
import { loadIris } from '../../src/jobs/dataset.ts';

beforeAll(() => ensureBuilt(), 600_000);

let dir: string;
const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'models');
const cli = (args: string[]): Promise<CliResult> => runCli(args, { cwd: dir, env: { RUNMEDIC_DB: path.join(dir, 'x.db') }, timeoutMs: 60_000 });

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-sanity-'));
  for (const f of ['keras3-iris-mlp.json', 'keras3-one-unit-softmax.json', 'keras3-mnist-cnn.json']) copyFileSync(path.join(fixtures, f), path.join(dir, f));
  const iris = loadIris();
  const mean = [0, 1, 2, 3].map((j) => Array.from({ length: 150 }, (_, i) => iris.x[i * 4 + j]!).reduce((a, b) => a + b, 0) / 150);
  const sd = [0, 1, 2, 3].map((j) => Math.sqrt(Array.from({ length: 150 }, (_, i) => (iris.x[i * 4 + j]! - mean[j]!) ** 2).reduce((a, b) => a + b, 0) / 150));
  const rows = Array.from({ length: 150 }, (_, i) => [0, 1, 2, 3].map((j) => ((iris.x[i * 4 + j]! - mean[j]!) / sd[j]!).toFixed(4)).join(',') + `,${iris.classNames[iris.y[i]!]}`);
  writeFileSync(path.join(dir, 'iris.csv'), ['a,b,c,d,species', ...rows].join('\n') + '\n');
  const unknown = JSON.parse(readFileSync(path.join(fixtures, 'keras3-iris-mlp.json'), 'utf8'));
  unknown.config.layers[1].class_name = 'FancyDense';
  writeFileSync(path.join(dir, 'fancy.json'), JSON.stringify(unknown));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runmedic sanity (as a process)', { timeout: 60_000 }, () => {
  it('a sound MLP passes; a one-unit softmax with a regression loss fails to overfit and ignores its inputs', async () => {
    const [ok, broken] = await Promise.all([
      cli(['sanity', '--model', 'keras3-iris-mlp.json', '--data', 'iris.csv']),
      cli(['sanity', '--model', 'keras3-one-unit-softmax.json', '--data', 'iris.csv', '--loss', 'mse', '--json', '--steps', '150']),
    ]);
    expect(ok.code).toBe(0);
    const lines = ok.stdout.split('\n');
    expect(lines[0]).toBe('✅ sanity of keras3-iris-mlp.json (Keras to_json()) on iris.csv: categorical cross-entropy, one batch of 32');
    expect(ok.stdout).toMatch(/✅ Loss at initialisation: [\d.]+ against ln 3 = 1\.1 for 3 classes/);
    expect(ok.stdout).toMatch(/✅ Overfit one batch of 32: loss [\d.]+ → 0\.0\d+ in \d+ steps \(target 0\.05\); batch accuracy 100 %/);
    expect(ok.stdout).toMatch(/✅ Loss depends on the inputs/);
    expect(ok.stderr).toMatch(/^backend: (tensorflow|wasm|cpu)$/m);

    expect(broken.code).toBe(1);
    const r = JSON.parse(broken.stdout);
    expect(r.status).toBe('fail');
    expect(r.loss).toBe('mean squared error against the class index');
    const byId = Object.fromEntries(r.items.map((i: { id: string }) => [i.id, i]));
    expect(byId.initial_loss.status).toBe('unknown');
    expect(byId.overfit_batch.status).toBe('fail');
    expect(byId.overfit_batch.evidence.steps).toBe(150);
    expect(byId.overfit_batch.evidence.finalLoss).toBeCloseTo(byId.overfit_batch.evidence.initialLoss, 3);
    expect(byId.input_dependence.status).toBe('fail');
    expect(byId.input_dependence.fix).toContain('one-unit softmax');
  });

  it('lrfind: the range test suggests a rate below where the loss turns, draws the chart, and calls a rate of 3 too high', async () => {
    const [text, json] = await Promise.all([
      cli(['lrfind', '--model', 'keras3-iris-mlp.json', '--data', 'iris.csv', '--lr', '3', '--chart', 'lr.png']),
      cli(['lrfind', '--model', 'keras3-iris-mlp.json', '--data', 'iris.csv', '--lr', '0.01', '--json', '--steps', '60']),
    ]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^keras3-iris-mlp\.json on iris\.csv: 100 steps of adam from 1e-7/);
    const suggested = Number(/suggested learning rate: ([\d.e−-]+)/.exec(text.stdout)![1]!.replace('−', '-'));
    expect(suggested).toBeGreaterThan(1e-3);
    expect(suggested).toBeLessThan(1);
    expect(text.stdout).toMatch(/❌ your rate 3 is past the loss's minimum at [\d.]+.*: too high; use [\d.]+/);
    const png = readFileSync(path.join(dir, 'lr.png'));
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    expect(png.readUInt32BE(16)).toBe(800);
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout);
    expect(r.points.length).toBeGreaterThan(10);
    expect(r.points[0].lr).toBeCloseTo(1e-7, 12);
    expect(r.suggestion.suggested).toBeGreaterThan(0);
    expect(r.verdict.status).not.toBe('fail');
  });

  // The pure-JS cpu backend where the backend does not matter: loading native TensorFlow costs seconds a process.
  it('a layer TensorFlow.js cannot build, and a model whose input does not fit the data, are bad input (2)', async () => {
    const [fancy, cnn, usage] = await Promise.all([
      cli(['sanity', '--model', 'fancy.json', '--data', 'iris.csv', '--backend', 'cpu']),
      cli(['sanity', '--model', 'keras3-mnist-cnn.json', '--data', 'iris.csv', '--backend', 'cpu']),
      cli(['sanity', '--model', 'fancy.json']),
    ]);
    expect(fancy.code).toBe(2);
    expect(fancy.stderr).toContain("runmedic: fancy.json: layer 'dense' of class FancyDense is not one TensorFlow.js builds: use layers TensorFlow.js supports");
    expect(cnn.code).toBe(2);
    expect(cnn.stderr).toContain("runmedic: keras3-mnist-cnn.json with iris.csv: the model takes inputs of shape (28, 28, 1) = 784 values, the data's examples have 4 (4)");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--data is required');
  });
});
