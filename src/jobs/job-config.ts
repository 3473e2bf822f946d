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

/** The optimizers a job trains with; each has a learning rate (the range test sweeps it). */
export const OPTIMIZER_NAMES = ['adam', 'sgd', 'momentum', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Every setting of a job but what it trains: the preset's network and data, or the team's own model and data. */
const trainingSettings = {
  optimizer: z.enum(OPTIMIZER_NAMES),
  learningRate: z.number().positive(),
  batchSize: z.number().int().min(1),
  epochs: z.number().int().min(1).max(1000),
  shuffle: z.boolean(),
  validationSplit: z.number().min(0).max(0.9),
  earlyStopping: z.object({ patience: z.number().int().min(1), restoreBestWeights: z.boolean() }).strict().nullable(),
  /** Presets: dropout before the output layer. Custom models: a Dropout layer inserted before the output layer. */
  dropout: z.number().min(0).max(0.95),
  // The architecture settings below shape a preset's network; a custom job keeps them at the defaults and ignores
  // them (its model file decides its layers): see CUSTOM_IGNORED_SETTINGS.
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
  /**
   * Normalise the inputs from training-split statistics (prepare-data.ts): images divided by their largest value (to
   * 0–1), rows standardised per feature. Absent in older stored configs: off.
   */
  normalizeInputs: z.boolean().optional(),
  faults: faultsSchema,
};

export const presetJobConfigSchema = z.object({ preset: z.enum(PRESET_NAMES), ...trainingSettings }).strict();

/**
 * The team's own model and data, carried in the config itself so that any process that claims the job (the bot, a
 * `runmedic worker` on another machine, a rerun after a restart) has them: the model file as text, the data file
 * gzip-compressed in base64. Each with its name as uploaded and the sha256 of its bytes.
 */
export const customSourceSchema = z
  .object({
    model: z.object({ name: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), text: z.string() }).strict(),
    data: z
      .object({
        name: z.string().min(1),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        bytes: z.number().int().min(1),
        /** INGEST_MAX_BYTES of the face that took the file: what the reader may inflate or decode it to. */
        maxBytes: z.number().int().min(1),
        gzipBase64: z.string(),
      })
      .strict(),
    /** The CSV column holding the label (null: the reader's own choice). */
    labelColumn: z.string().nullable(),
  })
  .strict();
export type CustomSource = z.infer<typeof customSourceSchema>;

export const customJobConfigSchema = z.object({ preset: z.literal('custom'), custom: customSourceSchema, ...trainingSettings }).strict();

export const jobConfigSchema = z.discriminatedUnion('preset', [presetJobConfigSchema, customJobConfigSchema]);
export type PresetJobConfig = z.infer<typeof presetJobConfigSchema>;
export type CustomJobConfig = z.infer<typeof customJobConfigSchema>;
export type JobConfig = PresetJobConfig | CustomJobConfig;
/** The settings a job may override: everything but what it trains and its faults. */
export type TrainingSettings = Omit<PresetJobConfig, 'preset' | 'faults'>;

export function isCustomJob(c: JobConfig): c is CustomJobConfig {
  return c.preset === 'custom';
}

/** Settings that shape a preset's network and mean nothing to a custom model (its file decides its layers). */
export const CUSTOM_IGNORED_SETTINGS = ['batchNorm', 'activation', 'pooling', 'kernelSize', 'hiddenUnits'] as const;
/** Faults that change a preset's network; on a custom model they are refused (its data faults still apply). */
export const ARCHITECTURE_FAULTS = ['lossMismatch', 'dyingRelu', 'deepSigmoid', 'explodingInit'] as const satisfies readonly (keyof Faults)[];

/** Reads a config from untrusted JSON; the error names the first offending path. */
export function parseJobConfig(value: unknown): JobConfig {
  const r = jobConfigSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`invalid job config at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}
