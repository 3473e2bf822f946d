/**
 * A job's mini-batches as tensors: the examples `idx[from..to)` of a dataset, shaped as the model's input (one tensor
 * per input for a model with several), with their one-hot labels and, for a model with several outputs, each
 * output's targets (model-io.ts). Shared by training (train-model.ts) and the job's range test (job-range-test.ts),
 * so both feed the network the same way.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './dataset.ts';
import { targetsFromLabels, type ModelIO } from './model-io.ts';

export interface Batch {
  /** One tensor per model input (a single tensor for a model with one). */
  x: tf.Tensor | tf.Tensor[];
  /** One-hot labels [b, K] (the classifier's targets). */
  y: tf.Tensor2D;
  labels: Int32Array;
  /** A model with several outputs: each output's targets, in output order (the classifier's is `y`). */
  targets?: tf.Tensor[];
}

/** Image augmentation of a batch's pixels (b × h × w × c, row-major), done before they become a tensor. */
export type Augment = (xs: Float32Array, shape: [number, number, number, number]) => Float32Array;

const isImage = (shape: number[]) => shape.length === 3;

/** Rows `idx[from..to)` of a dataset as a batch (see Batch); `io` for a model with several inputs or outputs. */
export function batchTensors(ds: Dataset, idx: ArrayLike<number>, from: number, to: number, augment?: Augment, io?: ModelIO): Batch {
  const f = ds.featureSize;
  const b = to - from;
  const xs = new Float32Array(b * f);
  const labels = new Int32Array(b);
  for (let k = 0; k < b; k++) {
    const i = idx[from + k]!;
    xs.set(ds.x.subarray(i * f, (i + 1) * f), k * f);
    labels[k] = ds.y[i]!;
  }
  const tensorOf = (values: Float32Array, shape: number[]) =>
    augment && isImage(shape) ? tf.tensor(augment(values, [b, ...shape] as [number, number, number, number]), [b, ...shape]) : tf.tensor(values, [b, ...shape]);
  let x: tf.Tensor | tf.Tensor[];
  if (ds.inputs && ds.inputs.length > 1) {
    // Each input's share of every row, in the model's input order.
    let offset = 0;
    x = ds.inputs.map((slot) => {
      const part = new Float32Array(b * slot.size);
      for (let k = 0; k < b; k++) part.set(xs.subarray(k * f + offset, k * f + offset + slot.size), k * slot.size);
      offset += slot.size;
      return tensorOf(part, slot.shape);
    });
  } else x = tensorOf(xs, ds.inputShape);
  const oneHot = new Float32Array(b * ds.classes);
  for (let k = 0; k < b; k++) oneHot[k * ds.classes + labels[k]!] = 1;
  const y = tf.tensor2d(oneHot, [b, ds.classes]);
  if (!io || io.heads.length === 1) return { x, y, labels };
  const targets = io.heads.map((h, i) => {
    if (i === io.main) return y;
    if (h.loss === 'none') return tf.zeros([b, ...h.shape]);
    if (h.targets !== 'own') return tf.tensor(targetsFromLabels(h, labels), [b, ...h.shape]);
    const own = ds.targets?.[h.name];
    if (!own) throw new Error(`no targets for output '${h.name}' in the dataset`);
    const t = new Float32Array(b * own.size);
    for (let k = 0; k < b; k++) t.set(own.values.subarray(idx[from + k]! * own.size, (idx[from + k]! + 1) * own.size), k * own.size);
    return tf.tensor(t, [b, ...h.shape]);
  });
  return { x, y, labels, targets };
}

/** Releases a batch's tensors. */
export function disposeBatch(b: Batch): void {
  tf.dispose([...(Array.isArray(b.x) ? b.x : [b.x]), b.y, ...(b.targets ?? [])]);
}
