/**
 * The learning-rate range test (custom/lr-find.ts) on a job itself: its network and examples as the job sets them
 * up (job-setup.ts: a preset's, or a team's own model and data with the job's normalisation, faults and dropout),
 * its optimizer (Adam, SGD, momentum or RMSProp, with the job's hyperparameters), its batch size and its training
 * loss. "Rerun with fix" runs it (in a child process) when the checklist blames the rate, and takes its suggestion.
 */
import * as tf from '@tensorflow/tfjs';
import type { JobConfig } from './job-config.ts';
import { setUpJob } from './job-setup.ts';
import { batchTensors, disposeBatch, type Batch } from './job-batches.ts';
import { batchLoss } from './model-io.ts';
import { datasetSize } from './dataset.ts';
import { createRng, permutation } from './rng.ts';
import { softmaxCrossEntropy } from './softmax-cross-entropy.ts';
import { rateOptimizer, sweepRates, STEPS, type LrPoint, type LrSuggestion } from './custom/lr-find.ts';

export interface JobRangeTest {
  points: LrPoint[];
  suggestion: LrSuggestion;
  optimizer: JobConfig['optimizer'];
  batchSize: number;
}

/** Needs a TensorFlow.js backend loaded. A custom job's files at fault throw an IngestError, as the job would. */
export async function jobRangeTest(config: JobConfig, o: { steps?: number } = {}): Promise<JobRangeTest> {
  const { built, data } = await setUpJob(config);
  const { train } = data;
  const n = datasetSize(train);
  const batchSize = Math.min(config.batchSize, n);
  const forward = built.logits ?? built.model;
  const io = built.io;
  // The job's training loss: softmax cross-entropy from the logits (or Keras-style on a linear output; a model with
  // several outputs: its heads' weighted sum), plus L2.
  const kernels = built.model.layers.flatMap((l) => l.trainableWeights.filter((w) => /kernel/.test(w.originalName)).map((w) => w.read() as tf.Variable));
  const lossOf = (batch: Batch, raw: tf.Tensor | tf.Tensor[]): tf.Scalar => {
    const out = raw as tf.Tensor;
    let loss = io
      ? batchLoss(io, Array.isArray(raw) ? raw : [raw], batch.targets ?? [batch.y]).total
      : built.logits
        ? softmaxCrossEntropy(batch.y, out)
        : (tf.mean(tf.metrics.categoricalCrossentropy(batch.y, out)) as tf.Scalar);
    if (config.l2 > 0 && kernels.length) loss = tf.add(loss, tf.mul(config.l2, tf.addN(kernels.map((v) => tf.sum(tf.square(v)))))) as tf.Scalar;
    return loss;
  };
  const rng = createRng(config.seed ^ 0x1f1d);
  let order = permutation(n, rng);
  let at = 0;
  const { optimizer, setRate } = rateOptimizer(config.optimizer);
  try {
    const r = await sweepRates((lr) => {
      setRate(lr);
      if (at + batchSize > n) {
        order = permutation(n, rng);
        at = 0;
      }
      const batch = batchTensors(train, order, at, at + batchSize, undefined, io);
      at += batchSize;
      const cost = optimizer.minimize(() => lossOf(batch, forward.apply(batch.x, { training: true }) as tf.Tensor | tf.Tensor[]), true)!;
      const loss = cost.dataSync()[0]!;
      cost.dispose();
      disposeBatch(batch);
      return loss;
    }, o.steps ?? STEPS);
    return { ...r, optimizer: config.optimizer, batchSize };
  } finally {
    optimizer.dispose();
    built.model.dispose();
  }
}
