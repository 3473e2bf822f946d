/**
 * `runmedic sanity` and `runmedic lrfind` as processes, on a real Keras 3 to_json() model: a sound MLP on standardised Iris passes; the same
 * file edited to a one-unit softmax output trained with a regression loss (mse) cannot overfit one batch and ignores
 * its inputs; a layer TensorFlow.js cannot build and a model that does not fit the data are bad input. Models with
 * several inputs and outputs (Keras 3, TensorFlow.js) are checked on the data as their training job maps it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, type CliResult } from '../support/run-cli.ts';
import { ensureBuilt } from '../support/built.ts';
import { loadIris } from '../../src/jobs/dataset.ts';
import { digitsMultiNpz, irisCsv, irisHeadsNpz } from '../support/custom-job-files.ts';
import { npyBytes } from '../support/npy-files.ts';
import { unzipSync, zipSync } from 'fflate';

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
  for (const f of ['keras3-multi-io.json', 'keras3-two-heads.json', 'tfjs-two-inputs-two-outputs.json']) copyFileSync(path.join(fixtures, f), path.join(dir, f));
  writeFileSync(path.join(dir, 'digits-multi.npz'), digitsMultiNpz(300, { odd: true }));
  writeFileSync(path.join(dir, 'digits-no-odd.npz'), digitsMultiNpz(40));
  // x_meta with two numbers an example where the model's input 'meta' takes three.
  writeFileSync(path.join(dir, 'digits-narrow-meta.npz'), zipSync({ ...unzipSync(digitsMultiNpz(20, { odd: true })), 'x_meta.npy': npyBytes(new Array(40).fill(0), [20, 2]) }, { level: 0 }));
  writeFileSync(path.join(dir, 'iris-heads.npz'), irisHeadsNpz({ area: true }));
  writeFileSync(path.join(dir, 'iris-collector.csv'), irisCsv({ collector: true }));
  // The two-heads model with its regression head 'petal_area' (one unit, mean squared error) behind a softmax: a
  // softmax over one unit is the constant 1, so that output cannot learn.
  const heads = JSON.parse(readFileSync(path.join(fixtures, 'keras3-two-heads.json'), 'utf8'));
  heads.config.layers.find((l: { name: string }) => l.name === 'petal_area').config.activation = 'softmax';
  writeFileSync(path.join(dir, 'two-heads-softmax-area.json'), JSON.stringify(heads));
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

  it('several inputs and outputs: a sound Keras 3 two-in/two-out model passes, naming its inputs and outputs; a second output that cannot learn fails naming it; data that does not fit is the job\'s error', async () => {
    const [multi, tfjs, broken, noOdd, mse, narrow] = await Promise.all([
      cli(['sanity', '--model', 'keras3-multi-io.json', '--data', 'digits-multi.npz']),
      cli(['sanity', '--model', 'tfjs-two-inputs-two-outputs.json', '--data', 'iris-collector.csv', '--json']),
      cli(['sanity', '--model', 'two-heads-softmax-area.json', '--data', 'iris-heads.npz', '--json']),
      cli(['sanity', '--model', 'keras3-multi-io.json', '--data', 'digits-no-odd.npz', '--backend', 'cpu']),
      cli(['sanity', '--model', 'keras3-multi-io.json', '--data', 'digits-multi.npz', '--loss', 'mse', '--backend', 'cpu']),
      cli(['sanity', '--model', 'keras3-multi-io.json', '--data', 'digits-narrow-meta.npz', '--backend', 'cpu']),
    ]);
    // Keras 3: an image through a CNN and three numbers in; the digit (softmax, judged) and odd-or-not (sigmoid) out.
    expect(multi.code, multi.stderr).toBe(0);
    const lines = multi.stdout.split('\n');
    expect(lines[0]).toBe("✅ sanity of keras3-multi-io.json (Keras to_json()) on digits-multi.npz: weighted sum of the outputs' losses: 'digit' sparse_categorical_crossentropy (judged) + 'odd' binary_crossentropy, one batch of 32");
    expect(lines[1]).toBe("   inputs: 'image' (28, 28, 1), 'meta' (3,)");
    expect(lines[2]).toBe("   outputs: 'digit' sparse_categorical_crossentropy on the class labels (judged: the loss at initialisation, the accuracy); 'odd' binary_crossentropy on y_odd");
    expect(multi.stdout).toContain("   note: data: read inputs 'image' ← x_image, 'meta' ← x_meta; labels y");
    expect(multi.stdout).toMatch(/✅ Loss at initialisation: the judged output 'digit': [\d.]+ against ln 10 = 2\.3 for 10 classes/);
    expect(multi.stdout).toMatch(/✅ Overfit one batch of 32: weighted sum of the outputs' losses [\d.]+ → 0\.\d+ in \d+ steps \(target 0\.1\); 'digit' [\d.]+ → [\d.e-]+, 'odd' [\d.]+ → [\d.e-]+; 'digit' batch accuracy 100 %/);
    expect(multi.stdout).toMatch(/✅ Loss depends on the inputs: weighted sum [\d.e-]+ on the batch, [\d.]+ with every input zeroed \('image', 'meta'\)/);

    // TensorFlow.js model.json compiled with a loss per output; the CSV's six features dealt to its two inputs.
    expect(tfjs.code, tfjs.stderr).toBe(0);
    const t = JSON.parse(tfjs.stdout);
    expect(t.io).toEqual({
      inputs: [{ name: 'measures', shape: [4] }, { name: 'site', shape: [2] }],
      outputs: [
        { name: 'species', loss: 'categorical_crossentropy', weight: 1, targets: 'the class labels', judged: true },
        { name: 'petal_area', loss: 'mean_absolute_error', weight: 1, targets: 'the class index', judged: false },
      ],
    });
    const tItems = Object.fromEntries(t.items.map((i: { id: string }) => [i.id, i]));
    expect(tItems.initial_loss.evidence.output).toBe('species');
    expect(tItems.overfit_batch.status).toBe('pass');
    expect(tItems.input_dependence.evidence.zeroedInputs).toBe('measures, site');

    // The regression head behind a one-unit softmax cannot learn: the summed loss stays far from zero, and the line
    // names that output; the classifier itself overfits.
    expect(broken.code, broken.stderr).toBe(1);
    const b = JSON.parse(broken.stdout);
    expect(b.status).toBe('fail');
    const bItems = Object.fromEntries(b.items.map((i: { id: string }) => [i.id, i]));
    expect(bItems.overfit_batch.status).toBe('fail');
    expect(bItems.overfit_batch.evidence.stuckOutputs).toBe('petal_area');
    expect(bItems.overfit_batch.evidence.speciesLoss).toBeLessThan(0.05);
    expect(bItems.overfit_batch.summary).toMatch(/^weighted sum of the outputs' losses [\d.]+ → [\d.]+ after 500 steps, not under [\d.]+; stuck: 'petal_area' \(MeanSquaredError × 0\.5\) ([\d.]+) → \1, target [\d.]+; 'species' batch accuracy 100 %$/);
    expect(bItems.overfit_batch.fix).toContain("here in output 'petal_area'");

    // Data that does not fit: the job's error (file, output, expected shape), exit 2; --loss is refused for such a model.
    const refusal = (r: CliResult) => r.stderr.trim().split('\n').filter((l) => l.startsWith('runmedic: '))[0];
    expect([noOdd.code, narrow.code, mse.code]).toEqual([2, 2, 2]);
    expect(refusal(narrow)).toBe("runmedic: digits-narrow-meta.npz: x_meta has shape (20, 2): the model's input 'meta' takes (3,) = 3 values an example, so expected (n, 3)");
    expect(refusal(noOdd)).toBe("runmedic: digits-no-odd.npz: output 'odd' gives (1,) an example and, with no y_odd array of its own, trains on the class labels (10 classes) with binary_crossentropy: expected 10 units (one per class), or its own targets as y_odd in an .npz");
    expect(refusal(mse)).toBe("runmedic: keras3-multi-io.json: a model with several inputs or outputs is checked with the loss of each output from its compile config (or the job's default), as its training job trains it: the mse loss option applies to a model with one output");
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
