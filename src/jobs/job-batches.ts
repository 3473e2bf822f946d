/**
 * A job's mini-batches as tensors: the examples `idx[from..to)` of a dataset, shaped as the model's input, with
 * their one-hot labels. Shared by training (train-model.ts) and the job's range test (job-range-test.ts), so both
 * feed the network the same way.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './dataset.ts';

export interface Batch {
  x: tf.Tensor;
  /** One-hot labels [b, K]. */
  y: tf.Tensor2D;
  labels: Int32Array;
}

/** Image augmentation of a batch's pixels (b × h × w × c, row-major), done before they become a tensor. */
export type Augment = (xs: Float32Array, shape: [number, number, number, number]) => Float32Array;

/** Rows `idx[from..to)` of a dataset as a batch tensor [b, ...inputShape] and one-hot labels [b, K]. */
export function batchTensors(ds: Dataset, idx: ArrayLike<number>, from: number, to: number, augment?: Augment): Batch {
  const f = ds.featureSize;
  const b = to - from;
  const xs = new Float32Array(b * f);
  const labels = new Int32Array(b);
  for (let k = 0; k < b; k++) {
    const i = idx[from + k]!;
    xs.set(ds.x.subarray(i * f, (i + 1) * f), k * f);
    labels[k] = ds.y[i]!;
  }
  const x = augment && ds.inputShape.length === 3 ? tf.tensor(augment(xs, [b, ...ds.inputShape] as [number, number, number, number]), [b, ...ds.inputShape]) : tf.tensor(xs, [b, ...ds.inputShape]);
  const oneHot = new Float32Array(b * ds.classes);
  for (let k = 0; k < b; k++) oneHot[k * ds.classes + labels[k]!] = 1;
  return { x, y: tf.tensor2d(oneHot, [b, ds.classes]), labels };
}

/** Releases a batch's tensors. */
export function disposeBatch(b: Batch): void {
  tf.dispose([b.x, b.y]);
}
