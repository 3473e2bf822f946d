/**
 * `runmedic train --model M --data D` as a process (issue 19), on real uploads: a Keras 3 to_json() CNN with an .npz of
 * MNIST digits, the declarative layer spec with a CSV of Iris that has a text column (one-hot encoded, said in the
 * notes), a Keras 3 CNN with a zip of PNG class folders resized to its input; and the files at fault: each is bad input
 * (exit 2) naming the file, the entry and what was expected, and leaves no run behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli, type CliResult } from '../support/run-cli.ts';
import { ensureBuilt } from '../support/built.ts';
import { digitsMultiNpz, irisCsv, irisHeadsNpz, mnistNpz, shapesZip } from '../support/custom-job-files.ts';

beforeAll(() => ensureBuilt(), 600_000);

let dir: string;
const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'models');
const cli = (args: string[]): Promise<CliResult> => runCli([...args, '--db', path.join(dir, 'runs.db')], { cwd: dir, timeoutMs: 60_000 });
const SPEC = { input: [6], layers: [{ dense: { units: 16, activation: 'relu' } }, { dropout: 0.1 }, { dense: { units: 3, activation: 'softmax' } }] };

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-train-custom-'));
  for (const f of ['keras3-mnist-cnn.json', 'keras3-png-cnn.json', 'keras3-iris-mlp.json', 'keras3-two-outputs.json', 'keras3-multi-io.json', 'keras3-two-heads.json', 'tfjs-two-inputs-two-outputs.json']) copyFileSync(path.join(fixtures, f), path.join(dir, f));
  writeFileSync(path.join(dir, 'digits-multi.npz'), digitsMultiNpz(300, { odd: true }));
  writeFileSync(path.join(dir, 'digits-no-odd.npz'), digitsMultiNpz(40));
  writeFileSync(path.join(dir, 'iris-heads.npz'), irisHeadsNpz({ area: true, val: 30 }));
  writeFileSync(path.join(dir, 'iris-plain.csv'), irisCsv());
  writeFileSync(path.join(dir, 'digits.npz'), mnistNpz(300));
  writeFileSync(path.join(dir, 'iris.csv'), irisCsv({ collector: true }));
  writeFileSync(path.join(dir, 'shapes.zip'), shapesZip());
  writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(SPEC));
  const fancy = JSON.parse(readFileSync(path.join(fixtures, 'keras3-iris-mlp.json'), 'utf8'));
  fancy.config.layers[1].class_name = 'FancyDense';
  writeFileSync(path.join(dir, 'fancy.json'), JSON.stringify(fancy));
  writeFileSync(path.join(dir, 'truncated.npz'), mnistNpz(20).subarray(0, 3000));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runmedic train --model --data (as a process)', { timeout: 90_000 }, () => {
  it('a Keras 3 CNN on MNIST digits from an .npz, the layer spec on an Iris CSV with a text column, a Keras 3 CNN on a zip of PNG folders: trained, stored, diagnosed, with notes saying how', async () => {
    const [cnn, spec, png] = await Promise.all([
      cli(['train', '--model', 'keras3-mnist-cnn.json', '--data', 'digits.npz', '--epochs', '2']),
      cli(['train', '--model', 'spec.json', '--data', 'iris.csv', '--epochs', '15', '--lr', '0.01', '--batch-size', '16']),
      cli(['train', '--model', 'keras3-png-cnn.json', '--data', 'shapes.zip', '--epochs', '2', '--json']),
    ]);
    for (const r of [cnn, spec]) expect([0, 1], r.stderr).toContain(r.code);

    expect(cnn.stderr).toContain('data: 240 training, 60 validation examples');
    expect(cnn.stderr).toContain('  model: keras3-mnist-cnn.json (Keras to_json())\n  Keras 3 config rewritten to the Keras 2 form TensorFlow.js reads\n  data: read arrays x, y');
    const backend = /^backend: (\w+)/m.exec(cnn.stderr)![1];
    expect(cnn.stderr).toMatch(new RegExp(`trained 2 epochs on ${backend} at \\d+ samples/s; run r_\\w+ stored in`));
    // Every layer of this CNN has a graph form: the native backend trains it as one graph per step.
    expect(cnn.stdout).toContain(backend === 'tensorflow' ? 'note: trained as one TensorFlow graph per step' : 'note: trained op by op through TensorFlow.js: the one-graph step needs the native backend');
    expect(cnn.stdout.split('\n')[0]).toMatch(/^(✅|⚠️|❌) keras3-mnist-cnn\.json on digits\.npz epochs=2 {2}\(tfjs_job, \d+ points, 2 epochs\)/);

    // The CSV's text column one-hot encoded, the numeric ones kept, and the model's six inputs listed.
    expect(spec.stderr).toContain('  model: spec.json (runmedic layer spec)');
    expect(spec.stderr).toContain('  data: one-hot encoded: collector (2 categories)');
    expect(spec.stderr).toContain('  inputs: 6 per example: 4 numeric as they are (sepal_length, sepal_width, petal_length, petal_width), 2 one-hot (collector=north, collector=south)');
    expect(spec.stderr).toMatch(/epoch 15\/15 .* val_acc (0\.[7-9]\d\d|1\.000)/);

    // A zip of PNG class folders, resized to the CNN's 16×16×3 input; GlobalAveragePooling2D has no graph form, so
    // the native backend trains it op by op and the notes name that layer.
    expect([0, 1], png.stderr).toContain(png.code);
    expect(png.stderr).toContain('data: 48 training, 12 validation examples');
    expect(png.stderr).toContain('  data: 60 images in 3 class folders');
    expect(png.stderr).toContain("  data: resized to the model's input 16×16×3 from 20×20, pixels scaled to 0–1");
    const verdict = JSON.parse(png.stdout) as { run: { name: string }; items: { id: string }[] };
    expect(verdict.run.name).toBe('keras3-png-cnn.json on shapes.zip epochs=2');
    expect(verdict.items.length).toBeGreaterThan(10);
    const notes = JSON.parse((await cli(['show', verdict.run.name, '--json'])).stdout).run.notes as string[];
    expect(notes.find((n) => n.startsWith('trained '))).toMatch(
      backend === 'tensorflow' ? /^trained op by op through TensorFlow\.js: the one-graph step does not build layer 'global_average_pooling2d\w*' \(GlobalAveragePooling2D\)$/ : /^trained op by op through TensorFlow\.js: the one-graph step needs the native backend/,
    );

    const runs = JSON.parse((await cli(['runs', '--json'])).stdout) as { name: string; status: string; epochs: number }[];
    expect(runs.map((r) => [r.name, r.status, r.epochs]).sort()).toEqual([
      ['keras3-mnist-cnn.json on digits.npz epochs=2', 'finished', 2],
      ['keras3-png-cnn.json on shapes.zip epochs=2', 'finished', 2],
      ['spec.json on iris.csv lr=0.01 batch=16 epochs=15', 'finished', 15],
    ].sort());
  });

  it('files at fault are bad input (2) with the file, the entry and what was expected, and leave no run behind', async () => {
    const results = await Promise.all([
      cli(['train', '--model', 'fancy.json', '--data', 'iris.csv', '--backend', 'cpu']),
      cli(['train', '--model', 'keras3-two-outputs.json', '--data', 'iris-plain.csv', '--backend', 'cpu']),
      cli(['train', '--model', 'keras3-iris-mlp.json', '--data', 'truncated.npz', '--backend', 'cpu']),
      cli(['train', '--model', 'keras3-mnist-cnn.json', '--data', 'iris.csv', '--backend', 'cpu']),
      cli(['train', '--model', 'keras3-iris-mlp.json', '--data', 'iris.csv', '--pooling', 'avg']),
      cli(['train', '--model', 'keras3-iris-mlp.json']),
    ]);
    const last = (r: CliResult) => r.stderr.trim().split('\n').filter((l) => l.startsWith('runmedic: '))[0];
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(results.map(last)).toEqual([
      "runmedic: fancy.json: layer 'dense' of class FancyDense is not one TensorFlow.js builds: use layers TensorFlow.js supports",
      "runmedic: iris-plain.csv: output 'aux' gives (1,) an example and, with no y_aux array of its own, trains on the class labels (3 classes) with categorical_crossentropy (the job's default): expected 3 units (one per class), or its own targets as y_aux in an .npz with a loss for it in the model's compile config (mean squared error, say)",
      expect.stringMatching(/^runmedic: truncated\.npz: /),
      "runmedic: keras3-mnist-cnn.json with iris.csv: the model takes inputs of shape (28, 28, 1) = 784 values, the data's examples have 6 (6)",
      "runmedic: with --model: pooling shapes a preset's network; your model file decides its own layers",
      'runmedic: --data is required with --model',
    ]);
    // Only the three runs trained above.
    expect(JSON.parse((await cli(['runs', '--json'])).stdout)).toHaveLength(3);
  });

  it('functional models with several inputs and outputs (Keras 3 to_json(), TensorFlow.js model.json): trained, stored with a loss series per output, diagnosed; data that does not fit is bad input', async () => {
    const db = path.join(dir, 'multi.db');
    const run = (args: string[]) => runCli([...args, '--db', db], { cwd: dir, timeoutMs: 90_000 });
    const [multi, tfjs, heads, noOdd, narrow, lrfind] = await Promise.all([
      run(['train', '--model', 'keras3-multi-io.json', '--data', 'digits-multi.npz', '--epochs', '2']),
      run(['train', '--model', 'tfjs-two-inputs-two-outputs.json', '--data', 'iris.csv', '--epochs', '4', '--normalize', '--batch-size', '16']),
      run(['train', '--model', 'keras3-two-heads.json', '--data', 'iris-heads.npz', '--epochs', '3', '--json']),
      run(['train', '--model', 'keras3-multi-io.json', '--data', 'digits-no-odd.npz', '--backend', 'cpu']),
      run(['train', '--model', 'tfjs-two-inputs-two-outputs.json', '--data', 'iris-plain.csv', '--backend', 'cpu']),
      run(['lrfind', '--model', 'keras3-two-heads.json', '--data', 'iris-heads.npz', '--json', '--steps', '40']),
    ]);
    for (const r of [multi, tfjs, heads]) expect([0, 1], r.stderr).toContain(r.code);

    // Two inputs (an image through a CNN, three numbers) and two outputs (the digit, softmax; odd or not, sigmoid).
    expect(multi.stderr).toContain("  outputs: 'digit' sparse_categorical_crossentropy (the classifier the checklist judges); 'odd' binary_crossentropy");
    expect(multi.stderr).toContain("  data: read inputs 'image' ← x_image, 'meta' ← x_meta; labels y");
    expect(multi.stderr).toContain("  targets: 'digit' the class labels; 'odd' y_odd");
    expect(multi.stdout).toMatch(/note: trained op by op through TensorFlow\.js: the one-graph step (does not build a model with 2 inputs and 2 outputs|needs the native backend)/);
    const shown = JSON.parse((await run(['show', 'keras3-multi-io.json on digits-multi.npz epochs=2', '--json'])).stdout) as { series: { name: string; points: number }[] };
    expect(shown.series.map((x) => x.name)).toEqual(expect.arrayContaining(['loss', 'val_loss', 'accuracy', 'digit_loss', 'val_digit_loss', 'odd_loss', 'val_odd_loss']));

    // A TensorFlow.js model.json compiled with a loss per output; the CSV's six features dealt to its two inputs.
    expect(tfjs.stderr).toContain("  outputs: 'species' categorical_crossentropy (the classifier the checklist judges); 'petal_area' mean_absolute_error");
    expect(tfjs.stderr).toContain("  inputs, the features in order: 'measures' ← sepal_length, sepal_width, petal_length, petal_width; 'site' ← collector=north, collector=south");
    expect(tfjs.stderr).toContain("  targets: 'species' the class labels; 'petal_area' the class labels as a number");

    // Two heads, the regression head on its own array; the verdict is the classifier's checklist.
    const verdict = JSON.parse(heads.stdout) as { run: { name: string }; items: { id: string }[] };
    expect(verdict.run.name).toBe('keras3-two-heads.json on iris-heads.npz epochs=3');
    expect(verdict.items.length).toBeGreaterThan(10);

    // Data that does not fit: exit 2, the file, the output or inputs, what was expected; no run.
    const refusal = (r: CliResult) => r.stderr.trim().split('\n').filter((l) => l.startsWith('runmedic: '))[0];
    expect([noOdd.code, narrow.code]).toEqual([2, 2]);
    expect(refusal(noOdd)).toBe("runmedic: digits-no-odd.npz: output 'odd' gives (1,) an example and, with no y_odd array of its own, trains on the class labels (10 classes) with binary_crossentropy: expected 10 units (one per class), or its own targets as y_odd in an .npz");
    expect(refusal(narrow)).toBe("runmedic: iris-plain.csv: the model's inputs take 6 values an example ('measures' (4,) = 4, 'site' (2,) = 2), the data's examples have 4 (4): expected their features to add up to the inputs' sizes, dealt in the model's input order");

    // The range test runs on such a model as its job would train it (the sanity checks too: test/cli/custom-model.test.ts).
    expect(lrfind.code, lrfind.stderr).toBe(0);
    expect(JSON.parse(lrfind.stdout).suggestion.suggested).toBeGreaterThan(0);
    const runs = JSON.parse((await run(['runs', '--json'])).stdout) as { name: string }[];
    expect(runs.map((r) => r.name).sort()).toEqual(['keras3-multi-io.json on digits-multi.npz epochs=2', 'keras3-two-heads.json on iris-heads.npz epochs=3', 'tfjs-two-inputs-two-outputs.json on iris.csv batch=16 epochs=4 normalizeInputs=true']);
  });

  it('--queue: files at fault are refused before anything is queued (exit 2, the file, the entry and what was expected); good files are queued', async () => {
    const queue = (args: string[]) => runCli([...args, '--queue', '--detach', '--db', path.join(dir, 'queue.db')], { cwd: dir, timeoutMs: 60_000 });
    const [truncated, shapes, good] = await Promise.all([
      queue(['train', '--model', 'keras3-iris-mlp.json', '--data', 'truncated.npz']),
      queue(['train', '--model', 'keras3-mnist-cnn.json', '--data', 'iris.csv']),
      queue(['train', '--model', 'spec.json', '--data', 'iris.csv', '--epochs', '3']),
    ]);
    const refusal = (r: CliResult) => r.stderr.trim().split('\n').filter((l) => l.startsWith('runmedic: '))[0];
    expect([truncated.code, shapes.code], truncated.stderr + shapes.stderr).toEqual([2, 2]);
    expect(refusal(truncated)).toMatch(/^runmedic: truncated\.npz: /);
    expect(refusal(shapes)).toBe("runmedic: keras3-mnist-cnn.json with iris.csv: the model takes inputs of shape (28, 28, 1) = 784 values, the data's examples have 6 (6)");
    expect(truncated.stderr + shapes.stderr).not.toContain('queued job');
    // The one line, without TensorFlow.js' banner about its backends.
    expect(shapes.stderr.trim()).toBe(refusal(shapes));
    expect(good.code, good.stderr).toBe(0);
    expect(good.stderr).toMatch(/^queued job \w+ in /m);
    // Only the good job is on the queue.
    const db = new Database(path.join(dir, 'queue.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT id, status FROM jobs').all()).toEqual([{ id: good.stdout.trim(), status: 'queued' }]);
    } finally {
      db.close();
    }
  });
});
