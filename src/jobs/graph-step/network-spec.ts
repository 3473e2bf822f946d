/**
 * A network as the graph step builds it: the layers from the input to the logits, with the shapes and settings the
 * TensorFlow ops need, and the optimizer. Pure data, so building the graph needs neither TensorFlow nor tfjs.
 */
import type { JobConfig } from '../job-config.ts';

export type ActivationFn = 'relu' | 'elu' | 'sigmoid' | 'tanh' | 'leakyRelu';

export type LayerSpec =
  | { kind: 'conv2d'; name: string; kernelShape: [number, number, number, number]; strides: [number, number]; padding: 'same' | 'valid'; dilations: [number, number]; useBias: boolean }
  | { kind: 'dense'; name: string; kernelShape: [number, number]; useBias: boolean }
  | { kind: 'activation'; name: string; fn: ActivationFn; alpha: number }
  | { kind: 'pool'; name: string; fn: 'max' | 'avg'; size: [number, number]; strides: [number, number]; padding: 'same' | 'valid' }
  | { kind: 'flatten'; name: string; size: number }
  | { kind: 'dropout'; name: string; rate: number; seed: number }
  /**
   * Batch normalisation over every axis but the last, as tfjs-layers' BatchNormalization trains: the batch's mean
   * and biased variance, then scale γ and offset β; the moving mean and variance move by 1 - momentum each step.
   */
  | { kind: 'batchnorm'; name: string; channels: number; epsilon: number; momentum: number };

export type OptimizerSpec =
  /** Adam's step size and ε, bias corrections folded in, are fed each step (see flat-adam.ts). */
  | { kind: 'adam'; beta1: number; beta2: number; epsilon: number }
  | { kind: 'sgd'; learningRate: number }
  | { kind: 'momentum'; learningRate: number; momentum: number }
  /** tfjs' RMSProp without momentum or centring: ms ← ρ·ms + (1-ρ)·g², θ ← θ - lr·g/√(ms + ε). */
  | { kind: 'rmsprop'; learningRate: number; decay: number; epsilon: number };

export interface NetworkSpec {
  /** Shape of one example, e.g. [28, 28, 1]. */
  inputShape: number[];
  classes: number;
  /** From the input to the logits layer (a dense layer of `classes` units, no activation). */
  layers: LayerSpec[];
  optimizer: OptimizerSpec;
  /** L2 penalty on kernels (not biases): loss + l2·Σ‖W‖². */
  l2: number;
}

/** Optimizer state tensors per variable: Adam m and v, momentum's accumulator, RMSProp's mean square. */
export function slotCount(o: OptimizerSpec): number {
  return o.kind === 'adam' ? 2 : o.kind === 'sgd' ? 0 : 1;
}

/** The trainable variables in order, per layer that has any: kernel then bias; batch norm's γ then β. */
export function variablesOf(spec: NetworkSpec): { layer: string; shape: number[]; isKernel: boolean }[][] {
  const groups: { layer: string; shape: number[]; isKernel: boolean }[][] = [];
  for (const l of spec.layers) {
    if (l.kind === 'batchnorm') {
      groups.push([
        { layer: l.name, shape: [l.channels], isKernel: false },
        { layer: l.name, shape: [l.channels], isKernel: false },
      ]);
    }
    if (l.kind !== 'conv2d' && l.kind !== 'dense') continue;
    const out = l.kernelShape[l.kernelShape.length - 1]!;
    groups.push([{ layer: l.name, shape: [...l.kernelShape], isKernel: true }, ...(l.useBias ? [{ layer: l.name, shape: [out], isKernel: false }] : [])]);
  }
  return groups;
}

/** The state the step updates without gradients, in order: each batch norm's moving mean, then moving variance. */
export function movingStatsOf(spec: NetworkSpec): { layer: string; shape: number[] }[] {
  return spec.layers.flatMap((l) => (l.kind === 'batchnorm' ? [{ layer: l.name, shape: [l.channels] }, { layer: l.name, shape: [l.channels] }] : []));
}

/**
 * A job's optimizer with every setting spelled out: the one source for the graph step and for the op-by-op loop
 * (train-model.ts builds its tfjs optimizer from it), so the two cannot train differently.
 */
export function optimizerSpec(config: Pick<JobConfig, 'optimizer' | 'learningRate'>): OptimizerSpec {
  const lr = config.learningRate;
  switch (config.optimizer) {
    case 'adam':
      // tf.train.adam's defaults.
      return { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    case 'sgd':
      return { kind: 'sgd', learningRate: lr };
    case 'momentum':
      return { kind: 'momentum', learningRate: lr, momentum: 0.9 };
    case 'rmsprop':
      // tf.train.rmsprop's defaults: decay 0.9, no momentum, not centred, ε 1e-7 (its backend default for float32).
      return { kind: 'rmsprop', learningRate: lr, decay: 0.9, epsilon: 1e-7 };
  }
}
