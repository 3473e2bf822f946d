import { describe, it, expect, beforeAll } from 'vitest';
import { loadBackend, nativeBackendInstalled } from '../../src/jobs/backend.ts';
import type { Faults, JobConfig, PresetName } from '../../src/jobs/job-config.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';
import { prepareData } from '../../src/jobs/prepare-data.ts';
import { trainModel, type TrainResult } from '../../src/jobs/train-model.ts';
import { buildTrainStepGraph, SIGNATURE_KEY } from '../../src/jobs/graph-step/train-step-graph.ts';
import { encodeSavedModel, SavedModelMessage } from '../../src/jobs/graph-step/saved-model-proto.ts';
import type { NetworkSpec } from '../../src/jobs/graph-step/network-spec.ts';
import { createGraphStep, networkSpecOf } from '../../src/jobs/graph-step/graph-step.ts';
import { buildModel } from '../../src/jobs/build-model.ts';
import * as tf from '@tensorflow/tfjs';
import { seriesNamed } from '../support/ingest-helpers.ts';

const seedCnn: NetworkSpec = {
  inputShape: [28, 28, 1],
  classes: 10,
  layers: [
    { kind: 'conv2d', name: 'conv1', kernelShape: [3, 3, 1, 32], strides: [1, 1], padding: 'same', dilations: [1, 1], useBias: true },
    { kind: 'activation', name: 'conv1_relu', fn: 'relu', alpha: 0 },
    { kind: 'pool', name: 'pool1', fn: 'max', size: [2, 2], strides: [2, 2], padding: 'valid' },
    { kind: 'conv2d', name: 'conv2', kernelShape: [3, 3, 32, 64], strides: [1, 1], padding: 'same', dilations: [1, 1], useBias: true },
    { kind: 'activation', name: 'conv2_relu', fn: 'relu', alpha: 0 },
    { kind: 'pool', name: 'pool2', fn: 'max', size: [2, 2], strides: [2, 2], padding: 'valid' },
    { kind: 'flatten', name: 'flatten', size: 3136 },
    { kind: 'dropout', name: 'dropout', rate: 0.5, seed: 1 },
    { kind: 'dense', name: 'out', kernelShape: [3136, 10], useBias: true },
  ],
  optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  l2: 1e-4,
};

describe('the training-step graph (pure)', () => {
  it('encodes a SavedModel whose signature feeds weights and optimizer state in and takes them and the stats out', () => {
    const g = buildTrainStepGraph(seedCnn);
    const bytes = encodeSavedModel(g.nodes, { key: SIGNATURE_KEY, inputs: g.inputs, outputs: g.outputs }, ['serve']);
    const decoded = SavedModelMessage.toObject(SavedModelMessage.decode(bytes), { longs: Number }) as {
      metaGraphs: { metaInfoDef: { tags: string[] }; graphDef: { node: { name: string; op: string; input?: string[] }[] }; signatureDef: Record<string, { inputs: Record<string, { name: string }>; outputs: Record<string, { name: string }> }> }[];
    };
    const mg = decoded.metaGraphs[0]!;
    expect(mg.metaInfoDef.tags).toEqual(['serve']);
    const sig = mg.signatureDef[SIGNATURE_KEY]!;
    // 6 variables (3 layers × kernel, bias), Adam's two slots each, the batch and Adam's two fed scalars.
    expect(Object.keys(sig.inputs).sort()).toEqual(['eps_hat', 'step_size', 'x', 'y', ...[0, 1, 2, 3, 4, 5].flatMap((i) => [`w${i}`, `s${i}_0`, `s${i}_1`])].sort());
    expect(Object.keys(sig.outputs).sort()).toEqual(['stats', ...[0, 1, 2, 3, 4, 5].flatMap((i) => [`nw${i}`, `ns${i}_0`, `ns${i}_1`])].sort());
    // Every node input and every signature tensor names a node of the graph, and names are unique.
    const names = new Set(mg.graphDef.node.map((n) => n.name));
    expect(names.size).toBe(mg.graphDef.node.length);
    for (const n of mg.graphDef.node) for (const i of n.input ?? []) expect(names.has(i.split(':')[0]!), `${n.name} reads ${i}`).toBe(true);
    for (const t of [...Object.values(sig.inputs), ...Object.values(sig.outputs)]) expect(names.has(t.name.split(':')[0]!)).toBe(true);
    // The backward pass uses TensorFlow's gradient kernels; no input gradient below the first convolution.
    const ops = mg.graphDef.node.map((n) => n.op);
    expect(ops.filter((o) => o === 'Conv2DBackpropFilter')).toHaveLength(2);
    expect(ops.filter((o) => o === 'Conv2DBackpropInput')).toHaveLength(1);
    expect(ops.filter((o) => o === 'MaxPoolGrad')).toHaveLength(2);
    expect(ops).toContain('RandomUniform');
  });

  it('needs no optimizer state for plain SGD', () => {
    const g = buildTrainStepGraph({ ...seedCnn, optimizer: { kind: 'sgd', learningRate: 0.1 }, l2: 0 });
    expect(Object.keys(g.inputs).filter((k) => k.startsWith('s'))).toEqual([]);
  });
});

const nativeHere = nativeBackendInstalled();

/** Runs the same job (no shuffling, so the same batches) as one graph per step and op by op through tfjs. */
async function bothWays(preset: PresetName, options: Partial<JobConfig>, faults: Faults = {}): Promise<{ graph: TrainResult; eager: TrainResult }> {
  const config = resolveJobConfig(preset, { epochs: 2, shuffle: false, ...options }, faults);
  const graph = await trainModel(config, prepareData(config), 'tensorflow');
  const eager = await trainModel(config, prepareData(config), 'tensorflow', {}, { eagerOnly: true });
  return { graph, eager };
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, rel: number, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `${what}[${i}]: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(b[i]!), 1e-3));
}

describe.skipIf(!nativeHere)('the graph step against tfjs op by op (tfjs-node)', () => {
  beforeAll(async () => {
    expect((await loadBackend(['tensorflow'])).name).toBe('tensorflow');
  });

  // Two epochs of several batches: later losses depend on every earlier update, so they match only when the
  // gradients and the optimizer's update both do. Each case varies layers, activations and optimizers.
  const cases: [string, PresetName, Partial<JobConfig>, Faults][] = [
    ['seed CNN, ReLU, max pooling, Adam', 'seed-cnn', { limit: 120, batchSize: 16 }, {}],
    ['CNN with average pooling, ELU, L2 and SGD', 'seed-cnn', { limit: 120, batchSize: 16, pooling: 'avg', activation: 'elu', l2: 1e-3, optimizer: 'sgd', learningRate: 0.05 }, {}],
    ['MLP, leaky ReLU, momentum', 'mnist-mlp', { limit: 200, batchSize: 32, activation: 'leakyRelu', optimizer: 'momentum', learningRate: 0.01 }, {}],
    ['MLP, tanh, RMSProp', 'iris-mlp', { batchSize: 16, activation: 'tanh', optimizer: 'rmsprop', learningRate: 0.01 }, {}],
    ['deep sigmoid stack, Adam', 'blobs', { limit: 300, batchSize: 32 }, { deepSigmoid: true }],
    ['CNN with batch normalisation, Adam', 'seed-cnn', { limit: 120, batchSize: 16, batchNorm: true }, {}],
    ['MLP with batch normalisation, momentum', 'spirals', { limit: 300, batchSize: 32, batchNorm: true, optimizer: 'momentum', learningRate: 0.05 }, {}],
  ];
  it.each(cases)('%s: same step losses, gradient norms, accuracy and update ratio', async (_name, preset, options, faults) => {
    const { graph, eager } = await bothWays(preset, options, faults);
    expect(graph.meta.stepMode).toBe('graph');
    expect(eager.meta.stepMode).toBe('eager');
    expectClose(seriesNamed(graph, 'batch_loss').values, seriesNamed(eager, 'batch_loss').values, 2e-3, 'batch_loss');
    expectClose(seriesNamed(graph, 'grad_norm').values, seriesNamed(eager, 'grad_norm').values, 5e-3, 'grad_norm');
    expectClose(seriesNamed(graph, 'accuracy').values, seriesNamed(eager, 'accuracy').values, 0.02, 'accuracy');
    // Validation runs in inference mode: with batch norm it reads the moving statistics the steps updated.
    expectClose(seriesNamed(graph, 'val_loss').values, seriesNamed(eager, 'val_loss').values, 2e-3, 'val_loss');
    expectClose(graph.context.instrumentation!.updateRatio!, eager.context.instrumentation!.updateRatio!, 5e-3, 'updateRatio');
  });

  it('trains with dropout as a graph: the loss falls and held-out accuracy is well above chance', async () => {
    const config = resolveJobConfig('iris-mlp', { epochs: 40, dropout: 0.3, batchSize: 16 });
    const r = await trainModel(config, prepareData(config), 'tensorflow');
    expect(r.meta.stepMode).toBe('graph');
    const loss = seriesNamed(r, 'loss').values;
    expect(loss.at(-1)!).toBeLessThan(loss[0]! * 0.6);
    expect(r.meta.finalValAccuracy!).toBeGreaterThan(0.8);
  });

  it('trains op by op, with a note saying why, when TensorFlow refuses the graph', async () => {
    const config = resolveJobConfig('iris-mlp', { epochs: 1 });
    const refuse = () => Promise.reject(new Error("Op type not registered 'LeakyReluGrad'\nmore detail"));
    const r = await trainModel(config, prepareData(config), 'tensorflow', {}, { createGraphStep: refuse });
    expect(r.meta.stepMode).toBe('eager');
    expect(r.notes).toContain("trained op by op: TensorFlow did not load the one-graph training step (Op type not registered 'LeakyReluGrad')");
    expect([...seriesNamed(r, 'batch_loss').values].every(Number.isFinite)).toBe(true);
  });

  it('a graph that fails on its first run (the warm-up) leaves no tensor or session behind', async () => {
    const config = resolveJobConfig('seed-cnn', { epochs: 1 });
    const built = buildModel(config, [28, 28, 1], 10);
    const spec = networkSpecOf(built, config, [28, 28, 1], 10) as NetworkSpec;
    const vars = built.model.layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    const before = tf.memory().numTensors;
    // 27-row images: the graph loads (the batch size is unknown until it runs), but the flattened features are not
    // the 3,136 the dense layer takes, so its first run fails.
    await expect(createGraphStep({ ...spec, inputShape: [27, 28, 1] }, vars, 0.01, 8)).rejects.toThrow(/reshape|Input to reshape/i);
    expect(tf.memory().numTensors).toBe(before);
    built.model.dispose();
  });

  it('falls back to tfjs op by op for a linear output (the loss/activation mismatch fault), and reports it', async () => {
    for (const [options, faults] of [[{}, { lossMismatch: true }]] as [Partial<JobConfig>, Faults][]) {
      const config = resolveJobConfig('iris-mlp', { epochs: 1, ...options }, faults);
      const r = await trainModel(config, prepareData(config), 'tensorflow');
      expect(r.meta.stepMode).toBe('eager');
      expect([...seriesNamed(r, 'batch_loss').values].every(Number.isFinite)).toBe(true);
    }
  });
});
