/** What is known about a run beyond its curves. Every field is optional: rules report `unknown` without it. */

export interface DatasetStats {
  /** Number of examples per class label, training split. */
  classCounts?: Record<string, number>;
  valClassCounts?: Record<string, number>;
  trainSize?: number;
  valSize?: number;
  /** Exact duplicate inputs inside the training split (count of examples that repeat an earlier one). */
  duplicates?: number;
  /** Validation examples whose input also appears in training. */
  trainValOverlap?: number;
  /** Groups of identical inputs carrying different labels (count of examples involved). */
  labelConflicts?: number;
  /** Examples flagged as likely mislabeled (e.g. by a confident-learning pass), with their share. */
  likelyLabelErrors?: number;
  inputMin?: number;
  inputMax?: number;
  inputMean?: number;
  inputStd?: number;
}

export interface LayerStats {
  name: string;
  kind: string; // 'conv2d', 'dense', …
  activation?: string;
  params?: number;
}

export interface ModelSummary {
  params?: number;
  layers?: LayerStats[];
  outputActivation?: string;
  loss?: string;
}

/** Per-epoch instrumentation of a training job. Arrays are indexed by epoch (0-based). */
export interface Instrumentation {
  /** Per layer name: gradient L2 norm per epoch. */
  gradNorms?: Record<string, number[]>;
  /** Per epoch: mean |update| / |weight| over layers. */
  updateRatio?: number[];
  /** Per layer name: fraction of ReLU units that never activate on the probe batch, per epoch. */
  deadReluFraction?: Record<string, number[]>;
  /** Per layer name: fraction of sigmoid/tanh units saturated on the probe batch, per epoch. */
  saturatedFraction?: Record<string, number[]>;
  perClassAccuracy?: Record<string, number>;
  confusion?: number[][];
}

export interface TrainingConfig {
  learningRate?: number;
  batchSize?: number;
  epochs?: number;
  optimizer?: string;
  shuffle?: boolean;
  earlyStopping?: boolean;
  validationSplit?: number;
}

export interface DiagnoseContext {
  /** Number of classes K of a classification task, when known. */
  classes?: number;
  dataset?: DatasetStats;
  model?: ModelSummary;
  instrumentation?: Instrumentation;
  config?: TrainingConfig;
}
