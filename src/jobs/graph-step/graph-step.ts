/**
 * The native backend's training step as one TensorFlow graph run (see train-step-graph.ts for the graph).
 *
 * Why: in eager mode every tfjs op is a separate N-API call, TFE_Execute and tfjs bookkeeping, and each
 * elementwise op streams the activations again. A seed-CNN step was ~90 such ops and ran at ~2,000 samples/s
 * here, where PyTorch runs ~3,000-4,000. As one graph the step is one call from JavaScript, and TensorFlow's graph
 * optimiser may fuse ops (conv + bias + activation) that eager mode runs one by one.
 *
 * tfjs-node runs graphs only as SavedModels: the graph is written to a temporary SavedModel directory, loaded
 * with tf.node.loadSavedModel (which keeps it in memory as a TensorFlow session) and the directory removed.
 * Weights stay in the tfjs model's variables (evaluation, the probe and early stopping read them there): each
 * step feeds them in and assigns the new values it returns.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BuiltModel } from '../build-model.ts';
import type { JobConfig } from '../job-config.ts';
import { encodeSavedModel } from './saved-model-proto.ts';
import { movingStatsOf, optimizerSpec, slotCount, variablesOf, type LayerSpec, type NetworkSpec } from './network-spec.ts';
import { buildTrainStepGraph, SIGNATURE_KEY, TAGS } from './train-step-graph.ts';

const require = createRequire(import.meta.url);

interface TFSavedModel {
  predict(inputs: tf.NamedTensorMap): tf.NamedTensorMap;
  dispose(): void;
}

export interface GraphStep {
  /** One step on a batch; returns [loss, squared grad norm per weighted layer, predicted class per example, mean update ratio]. */
  step(x: tf.Tensor, y: tf.Tensor): Float32Array;
  dispose(): void;
}

type Conv = { kernelSize: number | number[]; strides: number | number[]; padding: string; dilationRate: number | number[]; activation: string; useBias: boolean; dataFormat: string };
const pair = (v: number | number[]): [number, number] => (Array.isArray(v) ? [v[0]!, v[1] ?? v[0]!] : [v, v]);

/**
 * The job's network and optimizer as the graph step builds them, or why it cannot (a phrase naming the layer: "layer
 * 'conv1' (activation inside the convolution)", "layer 'gap' (GlobalAveragePooling2D)"). The network must be a chain of the
 * layers below from the input to the logits, then the output softmax: a preset's always is; a team's own model is
 * when its layers are.
 */
export function networkSpecOf(built: BuiltModel, config: Pick<JobConfig, 'optimizer' | 'learningRate' | 'l2' | 'seed'>, inputShape: number[], classes: number): NetworkSpec | { unsupported: string } {
  if (!built.logits) return { unsupported: 'the output is linear (loss/activation mismatch), trained on its raw outputs' };
  if (built.io) {
    const ins = built.io.inputs.length;
    const outs = built.io.heads.length;
    return { unsupported: `a model with ${ins} input${ins === 1 ? '' : 's'} and ${outs} output${outs === 1 ? '' : 's'} (the one-graph step trains a chain from one input to one output)` };
  }
  const layers: LayerSpec[] = [];
  const all = built.model.layers;
  let previous: tf.layers.Layer | null = null;
  for (const l of all) {
    const cfg = l.getConfig() as Record<string, unknown>;
    const name = l.name;
    const kind = l.getClassName();
    if (kind === 'InputLayer') continue;
    // A chain: one use of each layer, fed by the one before (a branch, a merge or a shared layer is not).
    const nodes = l.inboundNodes;
    if (nodes.length !== 1 || nodes[0]!.inboundLayers.length !== 1) return { unsupported: `layer '${name}' (a ${kind} ${nodes.length !== 1 ? `used ${nodes.length} times: shared weights` : `with ${nodes[0]!.inboundLayers.length} inputs`})` };
    if (previous && nodes[0]!.inboundLayers[0] !== previous) return { unsupported: `layer '${name}' (a branch: it does not follow '${previous.name}')` };
    previous = l;
    const inRank = (l.input as tf.SymbolicTensor).shape.length;
    const weightShape = () => l.trainableWeights[0]!.shape as number[];
    if (kind === 'Conv2D') {
      const c = cfg as unknown as Conv;
      if (c.activation !== 'linear' || c.dataFormat !== 'channelsLast') return { unsupported: `layer '${name}' (activation inside the convolution)` };
      layers.push({ kind: 'conv2d', name, kernelShape: weightShape() as [number, number, number, number], strides: pair(c.strides), padding: c.padding as 'same', dilations: pair(c.dilationRate), useBias: c.useBias });
    } else if (kind === 'Dense') {
      if (cfg.activation !== 'linear') return { unsupported: `layer '${name}' (activation inside the dense layer)` };
      if (inRank !== 2) return { unsupported: `layer '${name}' (a dense layer on inputs of rank ${inRank})` };
      layers.push({ kind: 'dense', name, kernelShape: weightShape() as [number, number], useBias: cfg.useBias as boolean });
    } else if (kind === 'Activation') {
      const fn = cfg.activation as string;
      if (fn === 'softmax' && l === all[all.length - 1]) break;
      if (!['relu', 'elu', 'sigmoid', 'tanh'].includes(fn)) return { unsupported: `layer '${name}' (activation ${fn})` };
      layers.push({ kind: 'activation', name, fn: fn as 'relu', alpha: 0 });
    } else if (kind === 'LeakyReLU') {
      layers.push({ kind: 'activation', name, fn: 'leakyRelu', alpha: cfg.alpha as number });
    } else if (kind === 'MaxPooling2D' || kind === 'AveragePooling2D') {
      layers.push({ kind: 'pool', name, fn: kind === 'MaxPooling2D' ? 'max' : 'avg', size: pair(cfg.poolSize as number[]), strides: pair((cfg.strides ?? cfg.poolSize) as number[]), padding: cfg.padding as 'same' });
    } else if (kind === 'Flatten') {
      const shape = l.outputShape as number[];
      layers.push({ kind: 'flatten', name, size: shape[shape.length - 1]! });
    } else if (kind === 'BatchNormalization') {
      const axis = cfg.axis as number;
      if ((axis !== -1 && axis !== (l.outputShape as number[]).length - 1) || cfg.center === false || cfg.scale === false) return { unsupported: `layer '${name}' (batch normalisation other than over the last axis with γ and β)` };
      layers.push({ kind: 'batchnorm', name, channels: weightShape()[0]!, epsilon: cfg.epsilon as number, momentum: cfg.momentum as number });
    } else if (kind === 'Dropout') {
      layers.push({ kind: 'dropout', name, rate: cfg.rate as number, seed: config.seed });
    } else {
      return { unsupported: `layer '${name}' (${kind})` };
    }
  }
  const last = layers[layers.length - 1];
  if (last?.kind !== 'dense' || last.kernelShape[1] !== classes) return { unsupported: 'the logits: they do not come from a dense layer with one unit per class' };
  return { inputShape, classes, layers, optimizer: optimizerSpec(config), l2: config.l2 };
}


/**
 * Loads the step graph of `spec` into a TensorFlow session (tfjs-node must be the active backend). `vars` are the
 * model's trainable variables in the order of variablesOf(spec), `movingStats` its batch norms' moving mean and
 * variance in the order of movingStatsOf(spec); each step updates both in place.
 *
 * The session optimises the graph and creates its kernels on the first run (90-180 ms for the seed CNN here, up to a
 * tenth of an 8,000-digit epoch): one run on a batch of zeros of the training batch size, whose results are thrown
 * away, does that before the first epoch's clock starts.
 */
export async function createGraphStep(spec: NetworkSpec, vars: readonly tf.Variable[], learningRate: number, warmUpBatch = 0, movingStats: readonly tf.Variable[] = []): Promise<GraphStep> {
  const matches = (want: { shape: number[] }[], got: readonly tf.Variable[]) => want.length === got.length && want.every((v, i) => v.shape.join() === got[i]!.shape.join());
  if (!matches(variablesOf(spec).flat(), vars) || !matches(movingStatsOf(spec), movingStats)) {
    throw new Error(`graph step: the model's variables [${[...vars, ...movingStats].map((v) => v.shape.join('×')).join(', ')}] do not match the network spec`);
  }
  const g = buildTrainStepGraph(spec);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-step-'));
  let model: TFSavedModel;
  try {
    writeFileSync(path.join(dir, 'saved_model.pb'), encodeSavedModel(g.nodes, { key: SIGNATURE_KEY, inputs: g.inputs, outputs: g.outputs }, TAGS));
    mkdirSync(path.join(dir, 'variables'));
    const node = (require('@tensorflow/tfjs-node') as { node: { loadSavedModel(p: string, tags: string[], sig: string): Promise<TFSavedModel> } }).node;
    model = await node.loadSavedModel(dir, TAGS, SIGNATURE_KEY);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const nSlots = slotCount(spec.optimizer);
  let slots: tf.Tensor[][] = vars.map((v) => Array.from({ length: nSlots }, () => tf.zerosLike(v)));
  const o = spec.optimizer;
  let t = 0;
  const feedFor = (x: tf.Tensor, y: tf.Tensor, step: number): { feed: tf.NamedTensorMap; scalars: tf.Tensor[] } => {
    const feed: tf.NamedTensorMap = { x, y };
    vars.forEach((v, i) => {
      feed[`w${i}`] = v;
      slots[i]!.forEach((s, j) => (feed[`s${i}_${j}`] = s));
    });
    movingStats.forEach((m, k) => (feed[`m${k}`] = m));
    const scalars: tf.Tensor[] = [];
    if (o.kind === 'adam') {
      // FlatAdam's algebra: the bias corrections folded into the step size and ε.
      const c1 = 1 - o.beta1 ** step;
      const c2 = 1 - o.beta2 ** step;
      scalars.push((feed.step_size = tf.scalar((learningRate * Math.sqrt(c2)) / c1)), (feed.eps_hat = tf.scalar(o.epsilon * Math.sqrt(c2))));
    }
    return { feed, scalars };
  };
  const release = () => {
    tf.dispose(slots.flat());
    model.dispose();
  };
  if (warmUpBatch > 0) {
    // A TensorFlow that lacks a kernel fails here, on the first run, rather than at load: nothing may stay behind.
    const zx = tf.zeros([warmUpBatch, ...spec.inputShape]);
    const zy = tf.zeros([warmUpBatch, spec.classes]);
    const { feed, scalars } = feedFor(zx, zy, 1);
    try {
      tf.dispose(Object.values(model.predict(feed)));
    } catch (e) {
      release();
      throw e;
    } finally {
      tf.dispose([zx, zy, ...scalars]);
    }
  }
  return {
    step(x, y) {
      const { feed, scalars } = feedFor(x, y, ++t);
      let out: tf.NamedTensorMap;
      try {
        out = model.predict(feed);
      } finally {
        tf.dispose(scalars);
      }
      const stats = out.stats!.dataSync() as Float32Array;
      vars.forEach((v, i) => v.assign(out[`nw${i}`] as tf.Tensor));
      movingStats.forEach((m, k) => m.assign(out[`nm${k}`] as tf.Tensor));
      const next = vars.map((_, i) => Array.from({ length: nSlots }, (__, j) => out[`ns${i}_${j}`]!));
      tf.dispose(slots.flat());
      slots = next;
      // The variables hold their own reference to the new values.
      tf.dispose([out.stats!, ...vars.map((_, i) => out[`nw${i}`]!), ...movingStats.map((_, k) => out[`nm${k}`]!)]);
      return stats;
    },
    dispose: release,
  };
}
