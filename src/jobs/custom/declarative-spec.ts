/**
 * runmedic's small declarative model spec, for a team without a Keras or TensorFlow.js export at hand:
 *
 *   {"input": [28, 28, 1], "layers": [
 *     {"conv2d": {"filters": 32, "kernel": 3, "activation": "relu"}}, {"maxpool": 2}, {"flatten": {}},
 *     {"dropout": 0.25}, {"dense": {"units": 10, "activation": "softmax"}}]}
 *
 * Layers: conv2d {filters, kernel, strides = 1, padding = "valid" | "same", activation = "linear"}, dense {units,
 * activation}, maxpool / avgpool (a size, or {size, strides}), globalavgpool {}, flatten {}, dropout (a rate, or
 * {rate}), batchnorm {}, activation ("relu", "tanh" …). Activations are TensorFlow.js' names. Turned into the Keras 2
 * form of a Sequential model that TensorFlow.js builds; every mistake is an IngestError with the JSON path. Pure.
 */
import { z } from 'zod';
import { IngestError } from '../../ingest/ingest-error.ts';

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu'] as const;
const activation = z.enum(ACTIVATIONS);
const side = z.number().int().min(1).max(64);
const pool = z.union([side, z.object({ size: side, strides: side.optional(), padding: z.enum(['valid', 'same']).optional() }).strict()]);

const LAYERS = {
  conv2d: z.object({ filters: z.number().int().min(1).max(4096), kernel: side, strides: side.optional(), padding: z.enum(['valid', 'same']).optional(), activation: activation.optional() }).strict(),
  dense: z.object({ units: z.number().int().min(1).max(65536), activation: activation.optional() }).strict(),
  maxpool: pool,
  avgpool: pool,
  globalavgpool: z.object({}).strict(),
  flatten: z.object({}).strict(),
  dropout: z.union([z.number().min(0).max(0.95), z.object({ rate: z.number().min(0).max(0.95) }).strict()]),
  batchnorm: z.object({}).strict(),
  activation,
} as const;
type Kind = keyof typeof LAYERS;
const KINDS = Object.keys(LAYERS) as Kind[];

/** A JSON object with `input` and `layers` and no Keras class_name: the declarative spec. */
export function isDeclarativeSpec(json: Record<string, unknown>): boolean {
  return json.class_name === undefined && json.modelTopology === undefined && 'layers' in json && 'input' in json;
}

export function topologyOfSpec(json: Record<string, unknown>, file: string): Record<string, unknown> {
  const input = z.array(z.number().int().min(1).max(100_000)).min(1).max(3).safeParse(json.input);
  if (!input.success) {
    // Several inputs ({"a": [4], "b": [2]} or [[4], [2]]): the spec is a chain, one input to one output.
    const several = (typeof json.input === 'object' && json.input !== null && !Array.isArray(json.input)) || (Array.isArray(json.input) && json.input.some((x) => Array.isArray(x)));
    if (several) throw new IngestError({ file, path: '$.input', reason: 'one input: a layer spec is a chain of layers from one input to one output; a model with several inputs or outputs comes as a Keras model.to_json() or a TensorFlow.js model.json' });
    throw new IngestError({ file, path: '$.input', reason: `expected the shape of one example, 1 to 3 whole numbers ([28, 28, 1], [4]), got ${JSON.stringify(json.input)}` });
  }
  const extra = Object.keys(json).filter((k) => k !== 'input' && k !== 'layers' && k !== 'name');
  if (extra.length) throw new IngestError({ file, path: `$.${extra[0]}`, reason: `unknown key: a layer spec has input, layers and an optional name` });
  if (!Array.isArray(json.layers) || json.layers.length === 0) throw new IngestError({ file, path: '$.layers', reason: 'expected a non-empty list of layers ({"dense": {"units": 10}} …)' });
  const layers: Record<string, unknown>[] = [];
  json.layers.forEach((entry: unknown, i: number) => {
    const at = `$.layers[${i}]`;
    const keys = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? Object.keys(entry) : [];
    if (keys.length !== 1 || !KINDS.includes(keys[0] as Kind)) {
      throw new IngestError({ file, path: at, reason: `expected one layer, an object with one key of ${KINDS.join(', ')}, got ${JSON.stringify(entry)?.slice(0, 80)}` });
    }
    const kind = keys[0] as Kind;
    const value = (entry as Record<string, unknown>)[kind];
    const parsed = LAYERS[kind].safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new IngestError({ file, path: [`${at}.${kind}`, ...issue.path.map(String)].join('.'), reason: `${issue.message} (${describe(kind)})` });
    }
    const name = `${kind}_${i + 1}`;
    const config = kerasConfig(kind, parsed.data);
    layers.push({ class_name: config.class_name, config: { name, trainable: true, ...(i === 0 ? { batch_input_shape: [null, ...input.data] } : {}), ...config.config } });
  });
  return { class_name: 'Sequential', config: { name: typeof json.name === 'string' ? json.name : 'layer_spec', layers } };
}

function describe(kind: Kind): string {
  switch (kind) {
    case 'conv2d':
      return 'conv2d takes {filters, kernel, strides?, padding?: "valid" | "same", activation?}';
    case 'dense':
      return 'dense takes {units, activation?}';
    case 'maxpool':
    case 'avgpool':
      return `${kind} takes a size or {size, strides?, padding?}`;
    case 'dropout':
      return 'dropout takes a rate 0–0.95 or {rate}';
    case 'activation':
      return `activation takes one of ${ACTIVATIONS.join(', ')}`;
    default:
      return `${kind} takes {}`;
  }
}

/** Keras' default, spelled out so that a job seeds it (custom-model.ts). */
const glorot = () => ({ class_name: 'GlorotUniform', config: { seed: null } });

type Loose = { filters: number; kernel: number; strides?: number; padding?: string; activation?: string; units: number; size: number; rate: number };

function kerasConfig(kind: Kind, v: unknown): { class_name: string; config: Record<string, unknown> } {
  const a = (typeof v === 'object' && v !== null ? v : {}) as Loose;
  switch (kind) {
    case 'conv2d':
      return { class_name: 'Conv2D', config: { filters: a.filters, kernel_size: [a.kernel, a.kernel], strides: [a.strides ?? 1, a.strides ?? 1], padding: a.padding ?? 'valid', activation: a.activation ?? 'linear', use_bias: true, kernel_initializer: glorot() } };
    case 'dense':
      return { class_name: 'Dense', config: { units: a.units, activation: a.activation ?? 'linear', use_bias: true, kernel_initializer: glorot() } };
    case 'maxpool':
    case 'avgpool': {
      const size = typeof v === 'number' ? v : a.size;
      const strides = typeof v === 'number' ? size : (a.strides ?? size);
      return { class_name: kind === 'maxpool' ? 'MaxPooling2D' : 'AveragePooling2D', config: { pool_size: [size, size], strides: [strides, strides], padding: typeof v === 'number' ? 'valid' : (a.padding ?? 'valid') } };
    }
    case 'globalavgpool':
      return { class_name: 'GlobalAveragePooling2D', config: {} };
    case 'flatten':
      return { class_name: 'Flatten', config: {} };
    case 'dropout':
      return { class_name: 'Dropout', config: { rate: typeof v === 'number' ? v : a.rate } };
    case 'batchnorm':
      return { class_name: 'BatchNormalization', config: {} };
    case 'activation':
      return { class_name: 'Activation', config: { activation: v } };
  }
}
