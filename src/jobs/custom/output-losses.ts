/**
 * The loss of each output of a team's own model: from the loss the model was compiled with (Keras 3's
 * compile_config, a TensorFlow.js model.json's trainingConfig: one loss for every output, a list in output order, or
 * a dict by output name; Keras' string names, loss classes and functions, tfjs' camelCase names), else the job's
 * default, categorical cross-entropy. Loss weights likewise (default 1). Pure; a loss a job cannot train is an
 * IngestError naming the output and the loss.
 */
import { IngestError } from '../../ingest/ingest-error.ts';
import type { ModelSpec } from './model-json.ts';

/** The losses a job trains an output with; 'none': a dict of losses that leaves the output out (Keras: not trained). */
export type OutputLossKind = 'categorical_crossentropy' | 'binary_crossentropy' | 'mse' | 'mae' | 'none';

export interface OutputLoss {
  kind: OutputLossKind;
  /** As the file names it ("sparse_categorical_crossentropy", "MeanSquaredError"), or "categorical_crossentropy (the job's default)". */
  label: string;
  /** What the file says of logits (a loss object's from_logits); null when it says nothing. */
  fromLogits: boolean | null;
  weight: number;
}

const NAMES: Record<string, OutputLossKind> = {
  categoricalcrossentropy: 'categorical_crossentropy',
  sparsecategoricalcrossentropy: 'categorical_crossentropy',
  binarycrossentropy: 'binary_crossentropy',
  mse: 'mse',
  meansquarederror: 'mse',
  mae: 'mae',
  meanabsoluteerror: 'mae',
};
const KNOWN = 'categorical or sparse categorical cross-entropy, binary cross-entropy, mean squared error or mean absolute error';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One loss as a file gives it (a name, a Keras 3 serialized loss object or function) → what the job trains. */
function lossOf(raw: unknown, output: string, file: string, path: string): Omit<OutputLoss, 'weight'> {
  let name: string | null = null;
  let fromLogits: boolean | null = null;
  if (typeof raw === 'string') name = raw;
  else if (isObj(raw) && typeof raw.class_name === 'string') {
    // keras.losses.MeanSquaredError() → {class_name: "MeanSquaredError", config: {...}}; a loss function →
    // {class_name: "function", config: "mean_squared_error"}.
    name = raw.class_name === 'function' && typeof raw.config === 'string' ? raw.config : raw.class_name;
    if (isObj(raw.config) && typeof raw.config.from_logits === 'boolean') fromLogits = raw.config.from_logits;
  }
  if (raw === null) return { kind: 'none', label: 'none', fromLogits: null };
  const kind = name === null ? undefined : NAMES[name.toLowerCase().replace(/[_\s-]/g, '')];
  if (!kind) {
    const shown = name ?? JSON.stringify(raw)?.slice(0, 60);
    throw new IngestError({ file, path, reason: `output '${output}' is compiled with the loss ${shown}, which a training job does not train: expected ${KNOWN}` });
  }
  return { kind, label: name!, fromLogits };
}

/**
 * Each output's loss and weight, in the order of `outputs` (the model's output names). Without a compiled loss every
 * output gets categorical cross-entropy, weight 1.
 */
export function outputLosses(training: ModelSpec['training'], outputs: string[], file: string): OutputLoss[] {
  const byDefault = (): Omit<OutputLoss, 'weight'> => ({ kind: 'categorical_crossentropy', label: "categorical_crossentropy (the job's default)", fromLogits: null });
  const names = outputs.join(', ');
  const perOutput = <T>(raw: unknown, what: string, path: string, one: (v: unknown, output: string, path: string) => T, missing: (output: string) => T): T[] => {
    if (Array.isArray(raw)) {
      if (raw.length !== outputs.length) throw new IngestError({ file, path, reason: `a list of ${raw.length} ${what} for ${outputs.length} output${outputs.length === 1 ? '' : 's'} (${names}): expected one per output, in order` });
      return raw.map((v, i) => one(v, outputs[i]!, `${path}[${i}]`));
    }
    if (isObj(raw) && !('class_name' in raw)) {
      const unknown = Object.keys(raw).filter((k) => !outputs.includes(k));
      if (unknown.length) throw new IngestError({ file, path, reason: `${what} for ${unknown.map((k) => `'${k}'`).join(', ')}, which the model does not have: its outputs are ${names}` });
      return outputs.map((o) => (o in raw ? one(raw[o], o, `${path}.${o}`) : missing(o)));
    }
    return outputs.map((o) => one(raw, o, path));
  };
  const losses = training ? perOutput(training.loss, 'losses', training.path === '$.compile_config' ? '$.compile_config.loss' : `${training.path}.loss`, (v, o, p) => lossOf(v, o, file, p), () => ({ kind: 'none' as const, label: 'none (not in the loss dict)', fromLogits: null })) : outputs.map(byDefault);
  const weightsRaw = training?.lossWeights;
  const weights =
    weightsRaw === null || weightsRaw === undefined
      ? outputs.map(() => 1)
      : perOutput(
          weightsRaw,
          'loss weights',
          `${training!.path}.loss_weights`,
          (v, o, p) => {
            if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new IngestError({ file, path: p, reason: `the loss weight of output '${o}' is ${JSON.stringify(v)}: expected a number ≥ 0` });
            return v;
          },
          () => 1,
        );
  return losses.map((l, i) => ({ ...l, weight: weights[i]! }));
}
