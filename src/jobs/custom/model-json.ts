/**
 * An uploaded model description → a TensorFlow.js layers topology: runmedic's declarative spec (declarative-spec.ts),
 * a Keras `model.to_json()` (Keras 2, or Keras 3,
 * whose config is rewritten to the Keras 2 shape TensorFlow.js reads: `module`/`registered_name`/`build_config` keys
 * dropped, DTypePolicy objects → their name, `batch_shape` → `batch_input_shape`, `__keras_tensor__` inbound nodes →
 * [layer, node, tensor, {}] lists, `Functional` → `Model`), or a TensorFlow.js `model.json` (its `modelTopology`;
 * weights are not read: the model trains from its initialisers). Pure.
 */
import { IngestError } from '../../ingest/ingest-error.ts';
import { isDeclarativeSpec, topologyOfSpec } from './declarative-spec.ts';

export interface ModelSpec {
  /** What tf.models.modelFromJSON takes as `modelTopology`. */
  topology: Record<string, unknown>;
  /** Where it came from, for the notes: "Keras 3.15.1 to_json()", "TensorFlow.js model.json". */
  source: string;
  /** The loss the file names (a tfjs model.json's training_config), if any. */
  loss?: string;
  /**
   * The losses (and loss weights) the model was compiled with, as the file has them: Keras 3's compile_config, a
   * TensorFlow.js model.json's trainingConfig (or a converted model's training_config). Read per output by
   * output-losses.ts; absent when the file has none (Keras 2's to_json(), an uncompiled model).
   */
  training?: { loss: unknown; lossWeights: unknown; path: string };
  notes: string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function parseModelJson(bytes: Uint8Array, file: string): ModelSpec {
  let json: Json;
  try {
    json = JSON.parse(new TextDecoder('utf-8').decode(bytes)) as Json;
  } catch (e) {
    throw new IngestError({ file, reason: `not JSON (${(e as Error).message}): expected a Keras model.to_json() or a TensorFlow.js model.json` });
  }
  if (!isObject(json)) throw new IngestError({ file, reason: 'expected a JSON object: a Keras model.to_json() or a TensorFlow.js model.json' });
  if (isDeclarativeSpec(json)) return { topology: topologyOfSpec(json, file), source: 'runmedic layer spec', notes: [] };
  const notes: string[] = [];
  let topology: Json;
  let source: string;
  let loss: string | undefined;
  let training: ModelSpec['training'];
  const trainingOf = (tc: Json | undefined, path: string) => (isObject(tc) && tc.loss !== undefined && tc.loss !== null ? { loss: tc.loss, lossWeights: tc.loss_weights ?? null, path } : undefined);
  if (isObject(json.modelTopology)) {
    const mt = json.modelTopology;
    topology = isObject(mt.model_config) ? mt.model_config : mt;
    const tc = mt.training_config;
    if (isObject(tc) && typeof tc.loss === 'string') loss = tc.loss;
    training = trainingOf(json.trainingConfig, '$.trainingConfig') ?? trainingOf(tc, '$.modelTopology.training_config');
    source = 'TensorFlow.js model.json';
    if (json.weightsManifest) notes.push('the weights the model.json points to are not read: the model trains from its initialisers');
  } else {
    topology = json;
    source = `Keras ${typeof json.keras_version === 'string' ? `${json.keras_version} ` : ''}to_json()`;
    training = trainingOf(json.compile_config, '$.compile_config');
  }
  if (!isObject(topology) || typeof topology.class_name !== 'string' || !isObject(topology.config)) {
    throw new IngestError({ file, path: '$', reason: 'expected a model: an object with class_name (Sequential, Functional, Model) and config' });
  }
  if (!['Sequential', 'Functional', 'Model'].includes(topology.class_name)) {
    throw new IngestError({ file, path: '$.class_name', reason: `a ${topology.class_name}: expected Sequential, Functional or Model` });
  }
  const keras3 = JSON.stringify(topology).includes('"registered_name"') || 'module' in topology;
  const converted = normalise(topology) as Record<string, unknown>;
  if (keras3) notes.push('Keras 3 config rewritten to the Keras 2 form TensorFlow.js reads');
  return { topology: converted, source, loss, ...(training ? { training } : {}), notes };
}

/** The names of a topology's inputs and outputs (a Sequential model has one of each). */
export function inputsAndOutputs(topology: Record<string, unknown>): { inputs: string[]; outputs: string[] } {
  const cfg = topology.config as Record<string, unknown> | undefined;
  if (topology.class_name !== 'Model' || !isObject(cfg)) return { inputs: ['input'], outputs: ['output'] };
  const names = (refs: unknown) => (Array.isArray(refs) ? refs.map((r) => (Array.isArray(r) ? String(r[0]) : '?')) : []);
  return { inputs: names(cfg.input_layers), outputs: names(cfg.output_layers) };
}

function isObject(v: unknown): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DROP = new Set(['module', 'registered_name', 'build_config', 'compile_config', 'shared_object_id']);

function normalise(v: Json, key = ''): Json {
  if (Array.isArray(v)) return key === 'inbound_nodes' ? inboundNodes(v) : v.map((x) => normalise(x));
  if (!isObject(v)) return v;
  if (key === 'dtype' && typeof v.class_name === 'string' && /DTypePolicy/.test(v.class_name) && isObject(v.config)) return (v.config.name as Json) ?? 'float32';
  const out: { [k: string]: Json } = {};
  for (const [k, x] of Object.entries(v)) {
    if (DROP.has(k)) continue;
    if (k === 'batch_shape') out.batch_input_shape = x;
    else if (k === 'optional' && v.batch_shape !== undefined) continue;
    else if ((k === 'input_layers' || k === 'output_layers') && Array.isArray(x) && typeof x[0] === 'string') out[k] = [x];
    else out[k] = normalise(x, k);
  }
  if (out.class_name === 'Functional') out.class_name = 'Model';
  // Keras 3 names LeakyReLU's slope negative_slope; TensorFlow.js reads alpha (and would silently use its default).
  if (out.class_name === 'LeakyReLU' && isObject(out.config) && out.config.negative_slope !== undefined) {
    const { negative_slope, ...rest } = out.config;
    out.config = { ...rest, alpha: negative_slope };
  }
  return out;
}

/** Keras 3 nodes ({args: [tensor…], kwargs}) → Keras 2 nodes ([[layer, node, tensor, {}], …]); Keras 2 ones pass. */
function inboundNodes(nodes: Json[]): Json {
  return nodes.map((node) => {
    if (!isObject(node)) return node;
    const tensors: Json[] = [];
    const collect = (a: Json) => {
      if (Array.isArray(a)) a.forEach(collect);
      else if (isObject(a) && a.class_name === '__keras_tensor__' && isObject(a.config) && Array.isArray(a.config.keras_history)) {
        const [layer, n, t] = a.config.keras_history;
        tensors.push([layer ?? null, n ?? 0, t ?? 0, {}]);
      }
    };
    collect(node.args ?? []);
    return tensors;
  });
}
