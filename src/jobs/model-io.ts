/**
 * A team's own model with several inputs or several outputs (issue 19), as a job feeds and scores it: its inputs in
 * order, each taking its share of an example's values; its outputs ("heads"), each with its loss, weight and
 * targets. The classifier head (`main`) is the one the job measures (accuracy, confusion, probes, the checklist) and
 * trains on the file's class labels; the others train on the class labels too (one-hot, or the class index for a
 * one-unit output) or on arrays of their own (`y_<output>` in an .npz). The loss of a batch is the weighted sum of
 * the heads' losses, as Keras sums them. Pure tensor code; used by training (train-model.ts), the job's range test
 * and the batches (job-batches.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { OutputLossKind } from './custom/output-losses.ts';
import { softmaxCrossEntropy } from './softmax-cross-entropy.ts';

/** One input of the model: its name, the shape of one example's value, and how many numbers that is. */
export interface InputSlot {
  name: string;
  shape: number[];
  size: number;
}

export interface Head {
  /** The output's name in the model file. */
  name: string;
  /** One example's output shape, and its size. */
  shape: number[];
  size: number;
  loss: OutputLossKind;
  /** The loss as the file (or the job's default) names it, for notes. */
  label: string;
  weight: number;
  /**
   * What the head is trained against: the class labels one-hot ('onehot', K units), the class index as a number
   * ('index', one unit), or the data file's own array for it ('own', y_<name>).
   */
  targets: 'onehot' | 'index' | 'own';
}

export interface ModelIO {
  inputs: InputSlot[];
  heads: Head[];
  /** Index of the classifier head in `heads`. */
  main: number;
}

/** Whether a head's loss is computed from logits (the training model outputs its pre-activation). */
export function trainsFromLogits(h: Head): boolean {
  return h.loss === 'categorical_crossentropy' || h.loss === 'binary_crossentropy';
}

/** One head's mean loss over a batch: `z` what the training model outputs for it (logits for cross-entropies). */
export function headLoss(h: Head, target: tf.Tensor, z: tf.Tensor): tf.Scalar {
  switch (h.loss) {
    case 'categorical_crossentropy':
      return softmaxCrossEntropy(target, z);
    case 'binary_crossentropy':
      return tf.losses.sigmoidCrossEntropy(target, z) as tf.Scalar;
    case 'mse':
      return tf.losses.meanSquaredError(target, z) as tf.Scalar;
    case 'mae':
      return tf.losses.absoluteDifference(target, z) as tf.Scalar;
    case 'none':
      return tf.scalar(0);
  }
}

/**
 * The loss of a batch: the weighted sum of the trained heads' losses (`total`), and each head's own (`parts`, in head
 * order; heads without a loss give 0). `outs` are the training model's outputs, `targets` each head's targets.
 */
export function batchLoss(io: ModelIO, outs: tf.Tensor[], targets: tf.Tensor[]): { total: tf.Scalar; parts: tf.Scalar[] } {
  const parts = io.heads.map((h, i) => headLoss(h, targets[i]!, outs[i]!));
  const weighted = io.heads.map((h, i) => (h.loss === 'none' ? null : h.weight === 1 ? parts[i]! : tf.mul(h.weight, parts[i]!))).filter((t): t is tf.Scalar => t !== null);
  return { total: (weighted.length === 1 ? weighted[0]! : tf.addN(weighted)) as tf.Scalar, parts };
}

/** A head's targets from class labels: one-hot rows of `size`, or each label as a number. */
export function targetsFromLabels(h: Head, labels: Int32Array): Float32Array {
  const b = labels.length;
  if (h.targets === 'index') return Float32Array.from(labels);
  const out = new Float32Array(b * h.size);
  for (let k = 0; k < b; k++) out[k * h.size + labels[k]!] = 1;
  return out;
}
