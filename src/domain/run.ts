/** The shared shapes of a training run. Pure data: no I/O here. */

export type Split = 'train' | 'val' | 'test';
export type Direction = 'lower' | 'higher';
/** `step`: one point per optimisation step or logging interval; `epoch`: one point per epoch. */
export type Cadence = 'step' | 'epoch';

export type LogFormat =
  | 'keras_csv'
  | 'keras_history'
  | 'hf_trainer_state'
  | 'lightning_csv'
  | 'mlflow'
  | 'jsonl'
  | 'plain_csv'
  | 'keras_text'
  | 'pytorch_text'
  | 'console_text'
  | 'tfevents'
  | 'push'
  | 'tfjs_job';

/**
 * One metric of one split, stored column-wise. All columns have the same length n.
 * `steps[i]` is the global step (or the epoch number when only epochs are known);
 * `epochs[i]` is the (possibly fractional) epoch, NaN where unknown; `wallTimes[i]` is seconds since
 * the Unix epoch, NaN where unknown. `values[i]` may be NaN or ±Infinity: they are symptoms, kept as data.
 */
export interface Series {
  /** Normalised key: 'loss', 'accuracy', 'lr', 'grad_norm', or the metric's own name ('f1', 'wer', 'dice_coef'). */
  key: string;
  split: Split;
  /** The name as it appeared in the source, for display ('val_sparse_categorical_accuracy', 'Loss/train'). */
  name: string;
  direction: Direction;
  cadence: Cadence;
  steps: Float64Array;
  epochs: Float64Array | null;
  wallTimes: Float64Array | null;
  values: Float64Array;
}

/** What a parser returns for one run found in a file: no id, no timestamps, nothing stored yet. */
export interface RunLog {
  name: string;
  format: LogFormat;
  series: Series[];
  /** Things the user should know about how the file was read ("test_* used as validation", "3 histograms skipped"). */
  notes: string[];
  /** Free-form facts from the source (hyperparameters found in the file, framework). */
  meta?: Record<string, unknown>;
}

export interface RunSource {
  format: LogFormat;
  fileName: string;
  /** sha256 hex of the bytes the run came from (plus the run's index inside that file, when the file held several). */
  contentHash: string;
}

export type RunStatus = 'finished' | 'running' | 'crashed' | 'killed' | 'stalled';

export interface RunSummary {
  id: string;
  name: string;
  source: RunSource;
  createdAt: number; // ms since the Unix epoch
  updatedAt: number; // ms since the Unix epoch
  status: RunStatus;
  points: number;
  /** Whole epochs from the first logged to the last (src/domain/epochs.ts); null when the log has no epochs. */
  epochs: number | null;
  /** The first of them as the log numbers it; absent or null: not known, read as numbered from 0 or 1. */
  firstEpoch?: number | null;
}

export interface Run extends RunSummary {
  series: Series[];
  notes: string[];
  meta: Record<string, unknown>;
}
