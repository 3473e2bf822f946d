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
import { irisCsv, mnistNpz } from '../support/custom-job-files.ts';
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

  it('a shared layer builds and trains op by op (the graph step names it); several outputs or a sigmoid output are refused in one sentence', async () => {
    const m = await prepared('keras3-shared-layer.json', { dropout: 0.2 });
    const built = builtCustomModel(tf, m, 3, 1, 'x');
    // The shared Dense and its shared activation have no single output to probe.
    expect(built.activationLayers.map((a) => a.layer.name)).toEqual(['embed_relu']);
    expect(networkSpecOf(built, { optimizer: 'adam', learningRate: 1e-3, l2: 0, seed: 1 }, [4], 3)).toEqual({ unsupported: "layer 'shared' (a Dense used 2 times: shared weights)" });
    m.dispose();
    expect(errorOf(() => trainingTopology(parseModelJson(fixture('keras3-two-outputs.json'), 'two.json').topology, 'two.json'))).toBe(
      'two.json: the model has 2 outputs (cls, aux): a training job trains a model with one classification output, so multiple outputs are not supported',
    );
    const sigmoid = { input: [4], layers: [{ dense: { units: 3, activation: 'sigmoid' } }] };
    expect(errorOf(() => trainingTopology(parseModelJson(enc(sigmoid), 's.json').topology, 's.json'))).toBe(
      "s.json: the output layer 'dense_1' applies sigmoid: a training job trains a single-label classifier, so the output must be a softmax (or linear logits) with one unit per class",
    );
  });

  it('a damaged model file is refused with the file and what was expected, never an exception of another kind', () => {
    // Keys deleted, nulled, turned into strings, lists or objects anywhere in real Keras 3 files, 1–3 at a time (seeded).
    const rng = createRng(19);
    const files = ['keras3-mnist-cnn.json', 'keras3-shared-layer.json', 'keras3-iris-mlp.json', 'keras3-png-cnn.json'];
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
