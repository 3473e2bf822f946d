/**
 * A team's own model as a training job builds it (issue 19): the layer spec (the README's example), the rewrite for
 * training on real Keras 3 to_json() files (activations split out, the output softmax, dropout before the logits,
 * seeded initialisers), what is refused in one sentence, and, on the native backend, the one-graph step of a custom
 * model against the same model trained op by op.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseModelJson } from '../../src/jobs/custom/model-json.ts';
import { buildLayersModel, builtCustomModel, trainingTopology } from '../../src/jobs/custom/custom-model.ts';
import { setUpCustomJob } from '../../src/jobs/custom/custom-job.ts';
import { customJobConfig } from '../../src/app/custom-job-config.ts';
import { networkSpecOf } from '../../src/jobs/graph-step/graph-step.ts';
import { trainModel } from '../../src/jobs/train-model.ts';
import { loadBackend, nativeBackendInstalled } from '../../src/jobs/backend.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';
import { digitsMultiNpz, irisCsv, irisHeadsNpz, mnistNpz, shapesZip } from '../support/custom-job-files.ts';
import { npyBytes } from '../support/npy-files.ts';
import { unzipSync, zipSync } from 'fflate';
import { seriesNamed } from '../support/ingest-helpers.ts';
import { createRng } from '../../src/jobs/rng.ts';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'models', name));
const enc = (o: unknown) => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o));
const README_SPEC = {
  input: [28, 28, 1],
  layers: [
    { conv2d: { filters: 32, kernel: 3, padding: 'same', activation: 'relu' } },
    { maxpool: 2 },
    { conv2d: { filters: 64, kernel: 3, padding: 'same', activation: 'relu' } },
    { maxpool: { size: 2 } },
    { flatten: {} },
    { dropout: 0.25 },
    { dense: { units: 10, activation: 'softmax' } },
  ],
};
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof IngestError) return e.message;
    throw e;
  }
  return 'no error';
};
const prepared = async (file: string | object, o: { dropout?: number; seed?: number } = {}) => {
  const spec = parseModelJson(typeof file === 'string' ? fixture(file) : enc(file), 'm.json');
  return buildLayersModel(tf, trainingTopology(spec.topology, 'm.json', o).topology, 'm.json');
};

beforeAll(async () => {
  await loadBackend(['cpu']);
});

describe('the layer spec', () => {
  it("the README's example builds the seed-cnn preset's network (same layers, 50,186 parameters)", async () => {
    const spec = parseModelJson(enc(README_SPEC), 'spec.json');
    expect(spec.source).toBe('runmedic layer spec');
    const m = await buildLayersModel(tf, spec.topology, 'spec.json');
    expect(m.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dropout', 'Dense']);
    expect(m.countParams()).toBe(50_186);
    expect(m.outputs[0]!.shape).toEqual([null, 10]);
    m.dispose();
  });

  it('names the JSON path and what was expected', () => {
    const msg = (o: unknown) => errorOf(() => parseModelJson(enc(o), 'spec.json'));
    expect(msg({ input: [4], layers: [{ dense: { units: 3 } }, { conv3d: {} }] })).toBe(
      'spec.json at $.layers[1]: expected one layer, an object with one key of conv2d, dense, maxpool, avgpool, globalavgpool, flatten, dropout, batchnorm, activation, got {"conv3d":{}}',
    );
    expect(msg({ input: [4], layers: [{ dense: { units: 0 } }] })).toMatch(/^spec\.json at \$\.layers\[0\]\.dense\.units: .* \(dense takes \{units, activation\?\}\)$/);
    expect(msg({ input: [4], layers: [{ dense: { units: 3, activation: 'sofmax' } }] })).toMatch(/^spec\.json at \$\.layers\[0\]\.dense\.activation: .*activation/);
    expect(msg({ input: 'big', layers: [] })).toBe('spec.json at $.input: expected the shape of one example, 1 to 3 whole numbers ([28, 28, 1], [4]), got "big"');
    expect(msg({ input: [4], layers: [], optimizer: 'adam' })).toBe('spec.json at $.optimizer: unknown key: a layer spec has input, layers and an optional name');
    // Several inputs: what the spec cannot say, and what can.
    expect(msg({ input: { a: [4], b: [2] }, layers: [{ dense: { units: 3 } }] })).toBe(
      'spec.json at $.input: one input: a layer spec is a chain of layers from one input to one output; a model with several inputs or outputs comes as a Keras model.to_json() or a TensorFlow.js model.json',
    );
  });
});

describe('a model prepared for training', () => {
  it('Keras 3 functional CNN: activations split out, softmax last, its logits a model of their own, the ReLU probed', async () => {
    const m = await prepared('keras3-mnist-cnn.json');
    expect(m.layers.map((l) => `${l.getClassName()}:${l.name}`)).toEqual([
      'InputLayer:input_layer_1',
      'Conv2D:conv2d',
      'Activation:conv2d_relu',
      'MaxPooling2D:max_pooling2d',
      'Flatten:flatten',
      'Dense:dense_2',
      'Activation:dense_2_softmax',
    ]);
    const built = builtCustomModel(tf, m, 10, 1, 'm.json with d.npz');
    expect(built.logits!.outputs[0]!.sourceLayer.name).toBe('dense_2');
    expect(built.activationLayers.map((a) => [a.layer.name, a.activation])).toEqual([['conv2d_relu', 'relu']]);
    expect(networkSpecOf(built, { optimizer: 'adam', learningRate: 1e-3, l2: 0, seed: 1 }, [28, 28, 1], 10)).toMatchObject({ layers: [{ kind: 'conv2d' }, { kind: 'activation', fn: 'relu' }, { kind: 'pool' }, { kind: 'flatten' }, { kind: 'dense' }] });
    // One output unit per class, or one sentence with both sides.
    expect(errorOf(() => builtCustomModel(tf, m, 3, 1, 'm.json with iris.csv'))).toBe("m.json with iris.csv: the model's output has shape (10) and the data 3 classes: expected one output unit per class");
    m.dispose();
  });

  it('a linear output is read as logits; dropout goes before the logits layer; unseeded initialisers draw from the job seed', async () => {
    const spec = { input: [4], layers: [{ dense: { units: 8, activation: 'tanh' } }, { dense: { units: 3 } }] };
    const t = trainingTopology(parseModelJson(enc(spec), 's.json').topology, 's.json', { dropout: 0.3, seed: 7 });
    expect(t.notes).toEqual(["the output layer 'dense_2' is linear: its outputs are trained as logits (softmax cross-entropy, as Keras' from_logits=True)", "dropout 0.3 before 'dense_2', the layer computing the logits"]);
    const [a, b, c] = await Promise.all([prepared(spec, { dropout: 0.3, seed: 7 }), prepared(spec, { dropout: 0.3, seed: 7 }), prepared(spec, { dropout: 0.3, seed: 8 })]);
    expect(a.layers.map((l) => l.getClassName())).toEqual(['Dense', 'Activation', 'Dropout', 'Dense', 'Activation']);
    const w = (m: tf.LayersModel) => Array.from(m.getWeights()[0]!.dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    for (const m of [a, b, c]) m.dispose();
  });

  it('a shared layer builds and trains op by op (the graph step names it); a sigmoid output is refused in one sentence', async () => {
    const m = await prepared('keras3-shared-layer.json', { dropout: 0.2 });
    const built = builtCustomModel(tf, m, 3, 1, 'x');
    // The shared Dense and its shared activation have no single output to probe.
    expect(built.activationLayers.map((a) => a.layer.name)).toEqual(['embed_relu']);
    expect(networkSpecOf(built, { optimizer: 'adam', learningRate: 1e-3, l2: 0, seed: 1 }, [4], 3)).toEqual({ unsupported: "layer 'shared' (a Dense used 2 times: shared weights)" });
    m.dispose();
    const sigmoid = { input: [4], layers: [{ dense: { units: 3, activation: 'sigmoid' } }] };
    expect(errorOf(() => trainingTopology(parseModelJson(enc(sigmoid), 's.json').topology, 's.json'))).toBe(
      "s.json: the output layer 'dense_1' applies sigmoid: a training job trains a single-label classifier, so the output must be a softmax (or linear logits) with one unit per class",
    );
  });

  it('a damaged model file is refused with the file and what was expected, never an exception of another kind', () => {
    // Keys deleted, nulled, turned into strings, lists or objects anywhere in real Keras 3 files, 1–3 at a time (seeded).
    const rng = createRng(19);
    const files = ['keras3-mnist-cnn.json', 'keras3-shared-layer.json', 'keras3-iris-mlp.json', 'keras3-png-cnn.json', 'keras3-multi-io.json', 'keras3-two-heads.json', 'tfjs-two-inputs-two-outputs.json'];
    let refused = 0;
    for (let t = 0; t < 600; t++) {
      const j = JSON.parse(fixture(files[t % files.length]!).toString('utf8'));
      const spots: { parent: Record<string, unknown>; key: string }[] = [];
      const walk = (v: unknown) => {
        if (v && typeof v === 'object') for (const k of Object.keys(v)) (spots.push({ parent: v as Record<string, unknown>, key: k }), walk((v as Record<string, unknown>)[k]));
      };
      walk(j);
      for (let m = 0; m <= rng.int(3); m++) {
        const { parent, key } = spots[rng.int(spots.length)]!;
        const r = rng.int(5);
        if (r === 0) delete parent[key];
        else parent[key] = [null, 'x', [], {}][r - 1];
      }
      try {
        customJobConfig({ modelBytes: enc(j), modelName: 'm.json', dataBytes: enc('a,label\n1,x\n'), dataName: 'd.csv', maxBytes: 1 << 20 }, { dropout: t % 2 ? 0.2 : 0 });
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(IngestError);
        expect((e as IngestError).file).toBe('m.json');
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(50);
  });

  it('a custom job on the Iris CSV trains the same way twice (seeded), and learns', async () => {
    const config = customJobConfig({ modelBytes: fixture('keras3-iris-mlp.json'), modelName: 'mlp.json', dataBytes: irisCsv(), dataName: 'iris.csv', maxBytes: 1 << 24 }, { epochs: 20, learningRate: 0.02, batchSize: 16 });
    const run = async () => {
      const s = await setUpCustomJob(tf, config);
      return trainModel(config, s.data, 'cpu', {}, { built: s.built });
    };
    const [r1, r2] = [await run(), await run()];
    expect(Array.from(seriesNamed(r1, 'batch_loss').values)).toEqual(Array.from(seriesNamed(r2, 'batch_loss').values));
    expect(r1.meta.finalValAccuracy).toBeGreaterThan(0.7);
    expect(r1.notes).toContain('trained op by op through TensorFlow.js: the one-graph step needs the native backend, and this job ran on cpu');
    // The raw centimetres, standardised from the training split when asked (a rerun's fix for unnormalised inputs).
    expect(r1.context.dataset!.inputMax).toBeGreaterThan(7);
    const normalised = { ...config, normalizeInputs: true, epochs: 1 };
    const s = await setUpCustomJob(tf, normalised);
    expect(s.data.notes).toContain('inputs normalised: each of the 4 features standardised (mean 0, std 1) with training-split statistics');
    const r3 = await trainModel(normalised, s.data, 'cpu', {}, { built: s.built });
    expect(r3.context.dataset!.inputMax).toBeLessThan(4);
  });
});

describe('a model with several inputs or several outputs', () => {
  const topo = (file: string, o: { dropout?: number } = {}) => {
    const spec = parseModelJson(fixture(file), file);
    return trainingTopology(spec.topology, file, { ...o, training: spec.training });
  };
  const job = (model: string, data: Uint8Array, dataName: string, settings: Parameters<typeof customJobConfig>[1] = {}) =>
    customJobConfig({ modelBytes: fixture(model), modelName: model, dataBytes: data, dataName, maxBytes: 1 << 26 }, { epochs: 2, ...settings });
  const setUpError = async (config: ReturnType<typeof job>): Promise<string> => {
    try {
      (await setUpCustomJob(tf, config)).built.model.dispose();
    } catch (e) {
      if (e instanceof IngestError) return e.message;
      throw e;
    }
    return 'no error';
  };

  it("losses per output from Keras 3's compile_config and a TensorFlow.js model.json's trainingConfig; the classifier is the first with categorical cross-entropy", () => {
    const heads = topo('keras3-two-heads.json');
    expect(heads.inputs).toEqual(['flower']);
    expect(heads.outputs.map((o) => [o.name, o.loss.kind, o.loss.label, o.loss.weight, o.activation])).toEqual([
      ['species', 'categorical_crossentropy', 'sparse_categorical_crossentropy', 1, 'softmax'],
      ['petal_area', 'mse', 'MeanSquaredError', 0.5, 'linear'],
    ]);
    expect(heads.main).toBe(0);
    expect(heads.notes).toContain("outputs: 'species' sparse_categorical_crossentropy (the classifier the checklist judges); 'petal_area' MeanSquaredError × 0.5");
    const multi = topo('keras3-multi-io.json', { dropout: 0.3 });
    expect([multi.inputs, multi.outputs.map((o) => o.loss.kind), multi.main]).toEqual([['image', 'meta'], ['categorical_crossentropy', 'binary_crossentropy'], 0]);
    // A rerun's dropout goes before the classifier's logits layer, also in a graph with branches.
    expect(multi.notes).toContain("dropout 0.3 before 'digit', the layer computing the logits");
    const tfjs = topo('tfjs-two-inputs-two-outputs.json');
    expect(tfjs.outputs.map((o) => [o.name, o.loss.kind])).toEqual([['species', 'categorical_crossentropy'], ['petal_area', 'mae']]);
    // Uncompiled (Keras 2's to_json() carries no losses): every output gets the job's default, categorical cross-entropy.
    expect(topo('keras3-two-outputs.json').outputs.map((o) => [o.name, o.loss.label])).toEqual([['cls', "categorical_crossentropy (the job's default)"], ['aux', "categorical_crossentropy (the job's default)"]]);
  });

  it('losses a job cannot train, and outputs that do not fit their loss, are refused naming the output', () => {
    const withLoss = (loss: unknown, weights?: unknown) => {
      const j = JSON.parse(fixture('keras3-two-heads.json').toString('utf8'));
      j.compile_config.loss = loss;
      j.compile_config.loss_weights = weights ?? null;
      return errorOf(() => trainingTopology(parseModelJson(enc(j), 'h.json').topology, 'h.json', { training: parseModelJson(enc(j), 'h.json').training }));
    };
    expect(withLoss({ species: 'sparse_categorical_crossentropy', petal_area: 'huber' })).toBe(
      "h.json at $.compile_config.loss.petal_area: output 'petal_area' is compiled with the loss huber, which a training job does not train: expected categorical or sparse categorical cross-entropy, binary cross-entropy, mean squared error or mean absolute error",
    );
    expect(withLoss({ species: 'mse', petal_area: 'mse' })).toBe(
      "h.json: no output has a categorical cross-entropy loss ('species': mse, 'petal_area': mse): a training job trains and judges a classifier, so one output must be one (its accuracy, confusion and label checks are the checklist's)",
    );
    expect(withLoss({ species: 'categorical_crossentropy', area: 'mse' })).toBe("h.json at $.compile_config.loss: losses for 'area', which the model does not have: its outputs are species, petal_area");
    expect(withLoss(['categorical_crossentropy'])).toBe('h.json at $.compile_config.loss: a list of 1 losses for 2 outputs (species, petal_area): expected one per output, in order');
    expect(withLoss(['categorical_crossentropy', 'categorical_crossentropy'])).toBe('no error');
    expect(withLoss('categorical_crossentropy', { species: -1 })).toBe("h.json at $.compile_config.loss_weights.species: the loss weight of output 'species' is -1: expected a number ≥ 0");
    // A binary cross-entropy head must end in a sigmoid (or be linear: logits).
    const j = JSON.parse(fixture('keras3-multi-io.json').toString('utf8'));
    j.config.layers.find((l: { name: string }) => l.name === 'odd').config.activation = 'relu';
    expect(errorOf(() => trainingTopology(parseModelJson(enc(j), 'm.json').topology, 'm.json', { training: parseModelJson(enc(j), 'm.json').training }))).toBe(
      "m.json: output 'odd' applies relu under binary_crossentropy: expected sigmoid or linear (a linear output is read as logits)",
    );
  });

  it('trains: two inputs from a CSV split by columns, two heads on an .npz with a target array of its own, two and two on MNIST; each output loss a series', async () => {
    const two = job('keras3-two-inputs.json', irisCsv({ collector: true }), 'iris.csv', { epochs: 3, normalizeInputs: true });
    const s1 = await setUpCustomJob(tf, two);
    expect(s1.built.io!.inputs.map((i) => [i.name, i.shape])).toEqual([['measures', [4]], ['site', [2]]]);
    expect(s1.data.notes).toContain("inputs, the features in order: 'measures' ← sepal_length, sepal_width, petal_length, petal_width; 'site' ← collector=north, collector=south");
    const r1 = await trainModel(two, s1.data, 'cpu', {}, { built: s1.built });
    // One output: the loss is its loss, no per-output series beside it.
    expect(r1.series.map((x) => x.name).sort()).toEqual(['accuracy', 'batch_loss', 'grad_norm', 'loss', 'lr', 'val_accuracy', 'val_loss']);
    expect(r1.meta.stepMode).toBe('eager');

    const heads = job('keras3-two-heads.json', irisHeadsNpz({ area: true, val: 30 }), 'iris.npz', { epochs: 3, learningRate: 0.01 });
    const s2 = await setUpCustomJob(tf, heads);
    expect(s2.built.io!.heads.map((h) => [h.name, h.loss, h.weight, h.targets])).toEqual([['species', 'categorical_crossentropy', 1, 'onehot'], ['petal_area', 'mse', 0.5, 'own']]);
    expect(s2.data.notes).toContain("data: output 'petal_area' trains on y_petal_area (validation: y_val_petal_area)");
    const r2 = await trainModel(heads, s2.data, 'cpu', {}, { built: s2.built });
    const last = (name: string) => seriesNamed(r2, name).values.at(-1)!;
    expect(r2.series.map((x) => x.name)).toEqual(expect.arrayContaining(['species_loss', 'val_species_loss', 'petal_area_loss', 'val_petal_area_loss']));
    // The overall loss is the weighted sum of the outputs' (Keras' total): species + 0.5 × petal_area.
    expect(last('val_loss')).toBeCloseTo(last('val_species_loss') + 0.5 * last('val_petal_area_loss'), 4);
    expect(r2.meta.valSize).toBe(30);

    const multi = job('keras3-multi-io.json', digitsMultiNpz(120, { odd: true }), 'digits.npz', { epochs: 2, batchSize: 20 });
    const s3 = await setUpCustomJob(tf, multi);
    expect(s3.built.io!.inputs.map((i) => [i.name, i.shape])).toEqual([['image', [28, 28, 1]], ['meta', [3]]]);
    expect(s3.built.io!.heads.map((h) => [h.name, h.loss, h.targets])).toEqual([['digit', 'categorical_crossentropy', 'onehot'], ['odd', 'binary_crossentropy', 'own']]);
    // The probe reads the hidden ReLUs, not the sigmoid output.
    expect(s3.built.activationLayers.map((a) => a.layer.name).sort()).toEqual(['conv_relu', 'meta_dense_relu']);
    const r3 = await trainModel(multi, s3.data, 'cpu', {}, { built: s3.built });
    expect(seriesNamed(r3, 'odd_loss').values.every(Number.isFinite)).toBe(true);
    expect(r3.meta.initialLoss / r3.meta.lnK).toBeGreaterThan(0.7);
    expect(r3.meta.initialLoss / r3.meta.lnK).toBeLessThan(1.5);
  });

  it("Keras 2's to_json() layout (class Functional, Keras 2 configs, no compile_config) with two inputs trains with the job's default loss", async () => {
    // Keras 2 is not in the local pip index: its layout is what TensorFlow.js reads, which runmedic's rewrite of a Keras 3
    // file produces; wrapped as Keras 2.15's to_json() wraps it.
    const topology = parseModelJson(fixture('keras3-two-inputs.json'), 'k3.json').topology as { config: unknown };
    const keras2 = enc({ class_name: 'Functional', config: topology.config, keras_version: '2.15.0', backend: 'tensorflow' });
    const spec = parseModelJson(keras2, 'k2.json');
    expect([spec.source, spec.training, spec.notes]).toEqual(['Keras 2.15.0 to_json()', undefined, []]);
    const config = customJobConfig({ modelBytes: keras2, modelName: 'k2.json', dataBytes: irisCsv({ collector: true }), dataName: 'iris.csv', maxBytes: 1 << 24 }, { epochs: 2 });
    const s = await setUpCustomJob(tf, config);
    expect(s.built.io!.heads.map((h) => [h.name, h.label])).toEqual([['species', "categorical_crossentropy (the job's default)"]]);
    const r = await trainModel(config, s.data, 'cpu', {}, { built: s.built });
    expect(seriesNamed(r, 'val_loss').values.every(Number.isFinite)).toBe(true);
  });

  it('data that does not fit says which file, which input or output, and the shape expected', async () => {
    expect(await setUpError(job('keras3-two-inputs.json', irisCsv(), 'iris.csv'))).toBe(
      "iris.csv: the model's inputs take 6 values an example ('measures' (4,) = 4, 'site' (2,) = 2), the data's examples have 4 (4): expected their features to add up to the inputs' sizes, dealt in the model's input order",
    );
    expect(await setUpError(job('keras3-multi-io.json', digitsMultiNpz(20), 'digits.npz'))).toBe(
      "digits.npz: output 'odd' gives (1,) an example and, with no y_odd array of its own, trains on the class labels (10 classes) with binary_crossentropy: expected 10 units (one per class), or its own targets as y_odd in an .npz",
    );
    expect(await setUpError(job('keras3-two-outputs.json', irisCsv(), 'iris.csv'))).toBe(
      "iris.csv: output 'aux' gives (1,) an example and, with no y_aux array of its own, trains on the class labels (3 classes) with categorical_crossentropy (the job's default): expected 3 units (one per class), or its own targets as y_aux in an .npz with a loss for it in the model's compile config (mean squared error, say)",
    );
    expect(await setUpError(job('keras3-multi-io.json', shapesZip(), 'shapes.zip'))).toBe(
      "shapes.zip: a zip of image folders gives one image an example, and the model has 2 inputs (image, meta): expected an .npz with an array x_<input> for each, or a CSV whose feature columns are split among them",
    );
    // An .npz whose arrays do not fit: a wrong shape, one input's array missing, a target of the wrong shape.
    const digits = digitsMultiNpz(20, { odd: true });
    const members = unzipSync(digits);
    const npz = (edit: (m: Record<string, Uint8Array>) => void) => {
      const m = { ...members };
      edit(m);
      return zipSync(m, { level: 0 });
    };
    expect(await setUpError(job('keras3-multi-io.json', npz((m) => (m['x_meta.npy'] = npyBytes(new Array(40).fill(0), [20, 2]))), 'd.npz'))).toBe(
      "d.npz: x_meta has shape (20, 2): the model's input 'meta' takes (3,) = 3 values an example, so expected (n, 3)",
    );
    expect(await setUpError(job('keras3-multi-io.json', npz((m) => delete m['x_meta.npy']), 'd.npz'))).toBe(
      'd.npz: has x_image but not x_meta: expected an array x_<input> for each of the model\'s inputs (x_image, x_meta), found x_image, y, y_odd',
    );
    expect(await setUpError(job('keras3-multi-io.json', npz((m) => (m['y_odd.npy'] = npyBytes(new Array(40).fill(0), [20, 2]))), 'd.npz'))).toBe(
      "d.npz: y_odd has shape (20, 2): output 'odd' gives (1,) an example, so expected (20,) or (20, 1)",
    );
    expect(await setUpError(job('keras3-multi-io.json', npz((m) => (m['y_odd.npy'] = npyBytes(new Array(20).fill(3), [20]))), 'd.npz'))).toBe(
      "d.npz: y_odd holds 3 at flat index 0: output 'odd' is trained with binary cross-entropy, so expected targets in 0–1",
    );
  });
});

describe.skipIf(!nativeBackendInstalled())('a custom model on the one-graph step (tfjs-node)', () => {
  it("a Keras 3 CNN's step losses and gradient norms match the same job op by op", async () => {
    await loadBackend(['tensorflow']);
    const config = customJobConfig({ modelBytes: fixture('keras3-mnist-cnn.json'), modelName: 'cnn.json', dataBytes: mnistNpz(160), dataName: 'd.npz', maxBytes: 1 << 26 }, { epochs: 2, shuffle: false, batchSize: 16 });
    const run = async (eagerOnly: boolean) => {
      const s = await setUpCustomJob(tf, config);
      return trainModel(config, s.data, 'tensorflow', {}, { built: s.built, eagerOnly });
    };
    const graph = await run(false);
    const eager = await run(true);
    expect(graph.meta.stepMode).toBe('graph');
    expect(eager.meta.stepMode).toBe('eager');
    expect(graph.notes).toContain("trained as one TensorFlow graph per step (the native backend's fast path: every layer of the model has a graph form)");
    for (const name of ['batch_loss', 'grad_norm']) {
      const g = seriesNamed(graph, name).values;
      const e = seriesNamed(eager, name).values;
      expect(g.length).toBe(e.length);
      for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - e[i]!) / Math.max(1e-6, Math.abs(e[i]!)), `${name}[${i}]`).toBeLessThan(2e-3);
    }
  });
});
