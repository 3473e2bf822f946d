/**
 * What a training job is: a preset plus option overrides plus switched-on faults. Validated with zod at every edge
 * (CLI flags, slash-command options, the queue's stored JSON, IPC), trusted inside.
 */
import { z } from 'zod';

export const PRESET_NAMES = ['seed-cnn', 'mnist-mlp', 'iris-mlp', 'blobs', 'circles', 'spirals'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const faultsSchema = z
  .object({
    /** Share of training labels replaced by a different random class. */
    labelNoise: z.number().min(0).max(1).optional(),
    /** Majority/minority count ratio imposed on the training classes (geometric profile). */
    classImbalance: z.number().min(1).optional(),
    /** Inputs multiplied by 255 (raw pixel range). */
    unnormalized: z.boolean().optional(),
    /** Training data sorted by label and never shuffled. */
    sortedLabels: z.boolean().optional(),
    /** Keep only this many training examples per class. */
    tinyTrain: z.number().int().min(1).optional(),
    /** No validation split at all. */
    noValidation: z.boolean().optional(),
    /** Linear output (logits) fed to a loss that expects probabilities. */
    lossMismatch: z.boolean().optional(),
    /** Hidden biases initialised to −3: most ReLUs start (and stay) dead. */
    dyingRelu: z.boolean().optional(),
    /** Hidden layers replaced by a stack of 8 sigmoid layers: vanishing gradients, saturation. */
    deepSigmoid: z.boolean().optional(),
    /** Hidden kernels drawn with σ = 3: activations and gradients explode. */
    explodingInit: z.boolean().optional(),
  })
  .strict();
export type Faults = z.infer<typeof faultsSchema>;
export const FAULT_NAMES = Object.keys(faultsSchema.shape) as (keyof Faults)[];

export const jobConfigSchema = z
  .object({
    preset: z.enum(PRESET_NAMES),
    optimizer: z.enum(['adam', 'sgd', 'momentum', 'rmsprop']),
    learningRate: z.number().positive(),
    batchSize: z.number().int().min(1),
    epochs: z.number().int().min(1).max(1000),
    shuffle: z.boolean(),
    validationSplit: z.number().min(0).max(0.9),
    earlyStopping: z.object({ patience: z.number().int().min(1), restoreBestWeights: z.boolean() }).strict().nullable(),
    dropout: z.number().min(0).max(0.95),
    batchNorm: z.boolean(),
    activation: z.enum(['relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh']),
    pooling: z.enum(['max', 'avg']),
    kernelSize: z.number().int().min(1).max(7),
    l2: z.number().min(0),
    /** Image augmentation done in the data pipeline: flip probability 0.5, rotation (± radians), zoom (± share). */
    augment: z.object({ flip: z.boolean(), rotation: z.number().min(0).max(Math.PI), zoom: z.number().min(0).max(0.9) }).strict().nullable(),
    hiddenUnits: z.number().int().min(1).max(4096),
    seed: z.number().int(),
    /** Use only this many examples of the dataset (a balanced, deterministic slice): for tests, benches and demos. */
    limit: z.number().int().min(2).nullable(),
    faults: faultsSchema,
  })
  .strict();
export type JobConfig = z.infer<typeof jobConfigSchema>;

/** Reads a config from untrusted JSON; the error names the first offending path. */
export function parseJobConfig(value: unknown): JobConfig {
  const r = jobConfigSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`invalid job config at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}
