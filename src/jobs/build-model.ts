/**
 * The network of a job: the preset's architecture with the options (activation, pooling, kernel size, batch norm,
 * dropout) and architecture faults applied. Activations are separate layers so the probe can read them.
 */
import * as tf from '@tensorflow/tfjs';
import type { JobConfig, PresetJobConfig } from './job-config.ts';
import { PRESETS } from './presets.ts';
import type { LayerStats, ModelSummary } from '../domain/context.ts';
import type { ModelIO } from './model-io.ts';

export interface BuiltModel {
  /** The whole network, output probabilities included (a preset's Sequential, or a team's own model). */
  model: tf.LayersModel;
  /** Hidden activation layers, in order, with their function: the probe's targets. */
  activationLayers: { layer: tf.layers.Layer; activation: string }[];
  /** Loss name as the engine knows it. */
  loss: 'categorical_crossentropy';
  outputActivation: 'softmax' | 'linear';
  /**
   * The same network up to the output layer's pre-activation (the logits, [batch, K]), sharing its layers and
   * weights; null when the output is linear. Training computes softmax and cross-entropy together from the logits
   * (one fused, stable op); prediction goes through `model`, whose last layer applies the softmax.
   */
  logits: tf.LayersModel | null;
  /**
   * A team's own model with several inputs or outputs (model-io.ts): then `logits` outputs every head, each as its
   * loss takes it (logits for the cross-entropies), in output order, and `model` every output as the file defines it.
   */
  io?: ModelIO;
}

export function buildModel(config: PresetJobConfig, inputShape: number[], classes: number): BuiltModel {
  const preset = PRESETS[config.preset];
  const { faults } = config;
  const model = tf.sequential();
  const activationLayers: BuiltModel['activationLayers'] = [];
  let first = true;
  let n = 0;
  const hiddenAct = faults.deepSigmoid ? 'sigmoid' : config.activation;
  const init = () => ({
    kernelInitializer: faults.explodingInit ? tf.initializers.randomNormal({ mean: 0, stddev: 3, seed: config.seed + n }) : tf.initializers.glorotUniform({ seed: config.seed + n }),
    biasInitializer: faults.dyingRelu ? tf.initializers.constant({ value: -5 }) : tf.initializers.zeros(),
  });
  const shape = () => (first ? { inputShape } : {});
  const addActivation = (name: string, act: string) => {
    const layer = act === 'leakyRelu' ? tf.layers.leakyReLU({ alpha: 0.1, name }) : tf.layers.activation({ activation: act as 'relu', name });
    model.add(layer);
    activationLayers.push({ layer, activation: act });
  };
  const addHidden = (make: (opts: object) => tf.layers.Layer, name: string) => {
    n++;
    model.add(make({ ...shape(), ...init(), name, useBias: !config.batchNorm }));
    first = false;
    // Momentum 0.9 (PyTorch's default), not Keras' 0.99: with 0.99 the moving statistics need a few hundred steps
    // to settle, and a short job's validation (inference mode) read them unsettled: 0.18 accuracy after 100 steps
    // of a seed CNN that trained to 0.94.
    if (config.batchNorm) model.add(tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 }));
    addActivation(`${name}_${hiddenAct}`, hiddenAct);
  };

  if (preset.architecture === 'cnn') {
    [32, 64].forEach((filters, i) => {
      addHidden((o) => {
        const conv = tf.layers.conv2d({ ...o, filters, kernelSize: config.kernelSize, padding: 'same' });
        if (i === 0) withoutInputGradient(conv);
        return conv;
      }, `conv${i + 1}`);
      const pool = { poolSize: 2, name: `pool${i + 1}` };
      model.add(config.pooling === 'max' ? tf.layers.maxPooling2d(pool) : tf.layers.averagePooling2d(pool));
    });
    model.add(tf.layers.flatten({ name: 'flatten' }));
  } else if (inputShape.length > 1) {
    model.add(tf.layers.flatten({ ...shape(), name: 'flatten' }));
    first = false;
  }
  if (preset.architecture === 'mlp' || faults.deepSigmoid) {
    const depth = faults.deepSigmoid ? 8 : config.preset === 'spirals' ? 2 : preset.architecture === 'mlp' ? 1 : 0;
    const units = faults.deepSigmoid ? Math.min(config.hiddenUnits, 32) : config.hiddenUnits;
    for (let d = 0; d < depth; d++) addHidden((o) => tf.layers.dense({ ...o, units }), `dense${d + 1}`);
  }
  if (config.dropout > 0) model.add(withFreshMasks(tf.layers.dropout({ rate: config.dropout, seed: config.seed, name: 'dropout' }), config.seed));
  const outputActivation = faults.lossMismatch ? 'linear' : 'softmax';
  const out = tf.layers.dense({
    ...shape(),
    units: classes,
    kernelInitializer: faults.explodingInit ? tf.initializers.randomNormal({ mean: 0, stddev: 3, seed: config.seed + 99 }) : tf.initializers.glorotUniform({ seed: config.seed + 99 }),
    name: 'out',
  });
  model.add(out);
  // Dense(K) then Softmax is Keras' Dense(K, activation='softmax'), with the logits reachable for training.
  if (outputActivation === 'softmax') model.add(tf.layers.activation({ activation: 'softmax', name: 'out_softmax' }));
  const logits = outputActivation === 'softmax' ? tf.model({ inputs: model.inputs, outputs: out.output as tf.SymbolicTensor }) : null;
  return { model, activationLayers, loss: 'categorical_crossentropy', outputActivation, logits };
}

/**
 * tfjs-layers' Conv2D runs tf.fused.conv2d, whose custom gradient always computes the gradient with respect to its
 * input too. On the network's first layer nothing uses it: a full transposed convolution per batch thrown away
 * (2.2 ms of a ~20 ms seed-CNN training step on tfjs-node). tf.conv2d + tf.add give the same output through
 * gradients registered per input, and tfjs' tape computes only the ones a variable depends on.
 */
function withoutInputGradient(layer: tf.layers.Layer): void {
  const conv = layer as unknown as {
    call: (inputs: tf.Tensor | tf.Tensor[]) => tf.Tensor;
    kernel: { read(): tf.Tensor4D };
    bias: { read(): tf.Tensor1D } | null;
    strides: [number, number];
    padding: 'same' | 'valid';
    dilationRate: [number, number];
    dataFormat: string;
    activation: { apply(t: tf.Tensor): tf.Tensor };
  };
  conv.call = (inputs) =>
    tf.tidy(() => {
      if (conv.dataFormat !== 'channelsLast') throw new Error('withoutInputGradient: only channelsLast convolutions');
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const y = tf.conv2d(x, conv.kernel.read(), conv.strides, conv.padding, 'NHWC', conv.dilationRate);
      return conv.activation.apply(conv.bias ? tf.add(y, conv.bias.read()) : y);
    });
}

/**
 * tfjs' Dropout draws its mask from its seed alone, so a seeded layer drops the same units on every training step:
 * a fixed pruning, not dropout. Each call here moves the seed on (seed, seed + 1, …): a new mask per step, and the
 * same sequence of masks for the same job seed.
 */
export function withFreshMasks(layer: tf.layers.Layer, seed: number): tf.layers.Layer {
  const dropout = layer as unknown as { seed?: number; call: (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[] };
  const call = dropout.call.bind(layer);
  let calls = 0;
  dropout.call = (inputs, kwargs) => {
    dropout.seed = seed + calls++;
    return call(inputs, kwargs);
  };
  return layer;
}

/** What the engine's architecture checks need to know about the network. */
export function summariseModel(built: BuiltModel): ModelSummary {
  const layers: LayerStats[] = [];
  const kinds: Record<string, string> = { Conv2D: 'conv2d', Dense: 'dense', BatchNormalization: 'batchnorm' };
  const layerList = built.model.layers;
  // The layer computing the logits ('out' in a preset; a model with several outputs: its classifier's), whose
  // activation is the output's.
  const outputLayer = (built.logits ?? built.model).outputs[built.io?.main ?? 0]?.sourceLayer.name;
  layerList.forEach((l, i) => {
    const kind = kinds[l.getClassName()];
    if (!kind) return;
    // The activation is the next Activation/LeakyReLU layer (after an optional batch norm), or the layer's own.
    let activation: string | undefined;
    for (let j = i + 1; j < layerList.length && j <= i + 2; j++) {
      const a = built.activationLayers.find((x) => x.layer === layerList[j]);
      if (a) {
        activation = a.activation;
        break;
      }
    }
    if (l.name === outputLayer) activation = built.outputActivation;
    layers.push({ name: l.name, kind, ...(activation ? { activation } : {}), params: l.countParams() });
  });
  return { params: built.model.countParams(), layers, outputActivation: built.outputActivation, loss: built.loss };
}
