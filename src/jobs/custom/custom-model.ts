/**
 * A team's own model as TensorFlow.js builds and a job trains it. One builder for the sanity checks, the range test
 * and training jobs (buildLayersModel); for training, the topology is first rewritten (trainingTopology) so the job
 * measures and trains it as it does a preset's network:
 * - an activation inside a layer (Keras' `Dense(64, activation="relu")`) becomes the same layer, linear, followed by
 *   an Activation layer: the probe reads dead and saturated units there, and the one-graph step builds it;
 * - the output ends in a softmax Activation layer whose input are the logits (a linear output is read as logits, as
 *   Keras' `from_logits=True`): training computes softmax and cross-entropy in one stable op from them;
 * - a rerun's dropout is a Dropout layer inserted before the layer computing the logits;
 * - random initialisers the file leaves unseeded are seeded from the job's seed.
 * The rewrite works on the Keras 2 form (model-json.ts): Sequential layer lists and functional graphs alike.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { IngestError } from '../../ingest/ingest-error.ts';
import type { BuiltModel } from '../build-model.ts';
import type { ModelSpec } from './model-json.ts';
import { outputLosses, type OutputLoss } from './output-losses.ts';
import { trainsFromLogits, type ModelIO } from '../model-io.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A layer of the topology: class, config, and (functional models) its name and inbound nodes. */
interface LayerJson extends Obj {
  class_name: string;
  config: Obj;
  name?: string;
  inbound_nodes?: unknown[];
}

/** Output activations a classifier job trains: softmax, or none (the outputs read as logits). */
const OUTPUT_ACTIVATIONS = new Set(['softmax', 'linear']);
/** Layers whose config's `activation` is applied inside them. */
const WITH_ACTIVATION = new Set(['Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'SeparableConv2D', 'DepthwiseConv2D', 'Conv2DTranspose', 'LocallyConnected2D']);

/** An output of the model as a job trains it (model-io.ts turns these into the job's heads). */
export interface TrainedOutput {
  /** The output's name in the file (its layer's name). */
  name: string;
  loss: OutputLoss;
  /** The activation the file's output layer applies ('linear' when none): probabilities, or logits when linear. */
  activation: string;
}

export interface TrainingTopology {
  topology: Obj;
  /** What the rewrite did that the job's notes should say. */
  notes: string[];
  /** The model's inputs' names, in order. */
  inputs: string[];
  /** Its outputs, in order, with their losses. */
  outputs: TrainedOutput[];
  /** The classification output the job measures (accuracy, confusion, probes, the checklist): the first with a categorical cross-entropy loss. */
  main: number;
}

/** Output activations a cross-entropy output may end in, for each loss (linear: the outputs are logits). */
const HEAD_ACTIVATIONS: Partial<Record<OutputLoss['kind'], string[]>> = { categorical_crossentropy: ['softmax', 'linear'], binary_crossentropy: ['sigmoid', 'linear'] };

/**
 * The rewrite for training (see the top of this file). `file` names the model in the one-sentence refusals; `training`
 * is the loss the file was compiled with (ModelSpec.training), read per output (output-losses.ts).
 */
export function trainingTopology(topology: Obj, file: string, o: { dropout?: number; seed?: number; training?: ModelSpec['training'] } = {}): TrainingTopology {
  const t = structuredClone(topology) as { class_name: string; config: Obj | unknown[] };
  const notes: string[] = [];
  const functional = t.class_name === 'Model';
  const cfg = isObj(t.config) ? t.config : { layers: t.config };
  if (!isObj(t.config)) t.config = cfg;
  const layers = cfg.layers;
  if (!Array.isArray(layers) || layers.length === 0 || !layers.every((l) => isObj(l) && typeof l.class_name === 'string' && isObj(l.config))) {
    throw new IngestError({ file, path: '$.config.layers', reason: 'expected a list of layers, each with class_name and config' });
  }
  const list = layers as LayerJson[];
  const nameOf = (l: LayerJson) => String(l.name ?? l.config.name ?? '');
  let inputNames: string[] = [];
  let outputNames: string[];
  if (functional) {
    const names = new Set(list.map(nameOf));
    const refs = (key: 'input_layers' | 'output_layers') => {
      const given = Array.isArray(cfg[key]) ? (cfg[key] as unknown[]) : [];
      if (given.length === 0) throw new IngestError({ file, path: `$.config.${key}`, reason: `expected the model's ${key === 'input_layers' ? 'inputs' : 'outputs'}: a list of [layer name, node, tensor]` });
      return given.map((ref, i) => {
        if (!Array.isArray(ref) || typeof ref[0] !== 'string' || !names.has(ref[0])) {
          throw new IngestError({ file, path: `$.config.${key}[${i}]`, reason: `expected [layer name, node, tensor] naming one of the model's layers, got ${JSON.stringify(ref)?.slice(0, 80)}` });
        }
        return ref[0];
      });
    };
    inputNames = refs('input_layers');
    outputNames = refs('output_layers');
    if (new Set(outputNames).size !== outputNames.length) throw new IngestError({ file, path: '$.config.output_layers', reason: `an output layer is listed twice (${outputNames.join(', ')}): expected each output once` });
    list.forEach((l, i) => {
      if (l.inbound_nodes !== undefined && (!Array.isArray(l.inbound_nodes) || !l.inbound_nodes.every((n) => Array.isArray(n)))) {
        throw new IngestError({ file, path: `$.config.layers[${i}].inbound_nodes`, reason: 'expected a list of nodes, each a list of [layer name, node, tensor, kwargs]' });
      }
    });
  } else {
    outputNames = [nameOf(list[list.length - 1]!)];
    inputNames = [`${nameOf(list[0]!) || 'input'}`];
  }

  // Each output's loss; the first with a categorical cross-entropy is the classifier the job measures.
  const activationOf = (name: string): string => {
    const l = list.find((x) => nameOf(x) === name)!;
    if (l.class_name === 'Softmax') return 'softmax';
    return l.class_name === 'Activation' ? String(l.config.activation) : typeof l.config.activation === 'string' ? l.config.activation : 'linear';
  };
  const losses = outputLosses(o.training, outputNames, file);
  const outputs: TrainedOutput[] = outputNames.map((name, i) => ({ name, loss: losses[i]!, activation: activationOf(name) }));
  const main = outputs.findIndex((x) => x.loss.kind === 'categorical_crossentropy');
  if (main < 0) {
    const what = outputs.map((x) => `'${x.name}': ${x.loss.label}`).join(', ');
    throw new IngestError({ file, reason: `no output has a categorical cross-entropy loss (${what}): a training job trains and judges a classifier, so one output must be one (its accuracy, confusion and label checks are the checklist's)` });
  }
  outputs.forEach((x, i) => {
    const allowed = HEAD_ACTIVATIONS[x.loss.kind];
    if (i !== main && allowed && !allowed.includes(x.activation)) {
      throw new IngestError({ file, reason: `output '${x.name}' applies ${x.activation} under ${x.loss.label}: expected ${allowed.join(' or ')} (a linear output is read as logits)` });
    }
  });
  if (outputs.length > 1) notes.push(`outputs: ${outputs.map((x, i) => `'${x.name}' ${x.loss.label}${x.loss.weight !== 1 ? ` × ${x.loss.weight}` : ''}${i === main ? ' (the classifier the checklist judges)' : ''}`).join('; ')}`);

  // Random initialisers the file leaves unseeded draw from the job's seed: the same job trains the same way twice.
  if (o.seed !== undefined) seedLayers(list, o.seed);

  // Split inline activations into Activation layers.
  const out: LayerJson[] = [];
  const renamed = new Map<string, string>();
  /** Split-out Activation layer → the layer of the file it came from (for messages). */
  const splitFrom = new Map<string, string>();
  const taken = new Set(list.map(nameOf));
  const fresh = (base: string) => {
    let n = base;
    for (let k = 2; taken.has(n); k++) n = `${base}_${k}`;
    taken.add(n);
    return n;
  };
  for (const l of list) {
    out.push(l);
    const act = l.config.activation;
    if (!WITH_ACTIVATION.has(l.class_name) || typeof act !== 'string' || act === 'linear') continue;
    l.config.activation = 'linear';
    const name = fresh(`${nameOf(l)}_${act}`);
    const layer: LayerJson = { class_name: 'Activation', config: { name, trainable: true, dtype: 'float32', activation: act } };
    splitFrom.set(name, nameOf(l));
    if (functional) {
      layer.name = name;
      // One node per node of the layer it follows (a shared layer's activation is shared too).
      layer.inbound_nodes = (l.inbound_nodes ?? []).map((_, k) => [[nameOf(l), k, 0, {}]]);
      renamed.set(nameOf(l), name);
    }
    out.push(layer);
  }
  if (functional && renamed.size) {
    const redirect = (ref: unknown): unknown => (Array.isArray(ref) && typeof ref[0] === 'string' && renamed.has(ref[0]) ? [renamed.get(ref[0]), ...ref.slice(1)] : ref);
    for (const l of out) {
      if (l.class_name === 'Activation' && [...renamed.values()].includes(nameOf(l))) continue;
      l.inbound_nodes = (l.inbound_nodes ?? []).map((node) => (Array.isArray(node) ? node.map(redirect) : node));
    }
    cfg.output_layers = (cfg.output_layers as unknown[]).map(redirect);
  }

  // The classifier's output: a softmax Activation layer after the logits.
  const outputName = functional ? String((cfg.output_layers as unknown[][])[main]![0]) : nameOf(out[out.length - 1]!);
  let last = out.find((l) => nameOf(l) === outputName)!;
  const lastAct = last.class_name === 'Softmax' ? 'softmax' : last.class_name === 'Activation' ? String(last.config.activation) : typeof last.config.activation === 'string' ? last.config.activation : null;
  if (lastAct !== null && !OUTPUT_ACTIVATIONS.has(lastAct)) {
    const which = outputs.length > 1 ? `the classifier output '${outputs[main]!.name}'` : `the output layer '${splitFrom.get(outputName) ?? outputName}'`;
    throw new IngestError({ file, reason: `${which} applies ${lastAct}: a training job trains a single-label classifier, so the output must be a softmax (or linear logits) with one unit per class` });
  }
  if (!((last.class_name === 'Activation' || last.class_name === 'Softmax') && lastAct === 'softmax')) {
    const name = fresh('output_softmax');
    const soft: LayerJson = { class_name: 'Activation', config: { name, trainable: true, dtype: 'float32', activation: 'softmax' } };
    if (functional) {
      soft.name = name;
      const refs = cfg.output_layers as unknown[][];
      const ref = refs[main]!;
      soft.inbound_nodes = [[[ref[0], ref[1] ?? 0, ref[2] ?? 0, {}]]];
      cfg.output_layers = refs.map((r, i) => (i === main ? [name, 0, 0] : r));
    }
    out.push(soft);
    notes.push(`the output layer '${outputName}' is linear: its outputs are trained as logits (softmax cross-entropy, as Keras' from_logits=True)`);
    last = soft;
  }

  // A rerun's dropout: before the layer that computes the logits.
  if (o.dropout && o.dropout > 0) {
    const name = fresh('rerun_dropout');
    const drop: LayerJson = { class_name: 'Dropout', config: { name, trainable: true, dtype: 'float32', rate: o.dropout, ...(o.seed !== undefined ? { seed: o.seed } : {}) } };
    let logitsName: string;
    let placed = false;
    if (functional) {
      logitsName = String(((last.inbound_nodes?.[0] as unknown[][] | undefined)?.[0] ?? [])[0] ?? '');
      const target = out.find((l) => nameOf(l) === logitsName);
      const nodes = target?.inbound_nodes ?? [];
      if (target && nodes.length === 1 && Array.isArray(nodes[0]) && nodes[0].length === 1) {
        drop.name = name;
        drop.inbound_nodes = nodes;
        target.inbound_nodes = [[[name, 0, 0, {}]]];
        out.splice(out.indexOf(target), 0, drop);
        placed = true;
      }
    } else {
      const at = out.length - 2;
      const target = out[at]!;
      logitsName = nameOf(target);
      if (at >= 0 && target !== last) {
        // Before the first layer, the input shape moves to the dropout layer.
        if (target.config.batch_input_shape !== undefined) {
          drop.config.batch_input_shape = target.config.batch_input_shape;
          delete target.config.batch_input_shape;
        }
        out.splice(at, 0, drop);
        placed = true;
      }
    }
    notes.push(placed ? `dropout ${o.dropout} before '${logitsName}', the layer computing the logits` : `no dropout added: the layer computing the logits takes more than one input`);
  }
  cfg.layers = out;
  return { topology: t as Obj, notes, inputs: inputNames, outputs, main };
}

/** Seeds the random initialisers a layer list leaves unseeded (seed + 1, seed + 2, … in layer order), in place. */
function seedLayers(list: LayerJson[], seed: number): void {
  let k = 0;
  for (const l of list) {
    for (const [key, init] of Object.entries(l.config)) {
      if (key.endsWith('_initializer') && isObj(init) && isObj(init.config) && 'seed' in init.config && (init.config.seed === null || init.config.seed === undefined)) init.config.seed = seed + ++k;
    }
  }
}

/**
 * A copy of a topology whose unseeded random initialisers draw from `seed`: the sanity checks and the range test of
 * the same files give the same answer twice (the fresh weights decide where a range test's loss turns).
 */
export function seededTopology(topology: Obj, seed: number): Obj {
  const t = structuredClone(topology) as { config: unknown };
  const layers = isObj(t.config) ? t.config.layers : t.config;
  if (Array.isArray(layers)) seedLayers(layers.filter((l): l is LayerJson => isObj(l) && isObj(l.config)), seed);
  return t as Obj;
}

/**
 * The topology as a TensorFlow.js model; a layer TensorFlow.js does not build is named, with its class, in one
 * sentence (an IngestError on `file`).
 */
export async function buildLayersModel(tf: typeof tfTypes, topology: Obj, file: string): Promise<tfTypes.LayersModel> {
  try {
    return await tf.models.modelFromJSON({ modelTopology: topology } as unknown as Parameters<typeof tf.models.modelFromJSON>[0]);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const unknown = /Unknown (layer|initializer|activation|regularizer|constraint)[:\s]+(\S+?)\.?(\s|$)/i.exec(msg);
    if (unknown?.[1]!.toLowerCase() === 'layer') {
      const cls = unknown[2]!;
      const layers = (isObj(topology.config) ? topology.config.layers : topology.config) as LayerJson[] | undefined;
      const named = Array.isArray(layers) ? layers.find((l) => isObj(l) && l.class_name === cls) : undefined;
      const name = named ? String(named.name ?? named.config?.name ?? '') : '';
      throw new IngestError({ file, reason: `layer ${name ? `'${name}' ` : ''}of class ${cls} is not one TensorFlow.js builds: use layers TensorFlow.js supports` });
    }
    if (unknown) throw new IngestError({ file, reason: `${unknown[1]} class ${unknown[2]} is not one TensorFlow.js builds: use ones TensorFlow.js supports` });
    throw new IngestError({ file, reason: `TensorFlow.js cannot build this model: ${msg.split('\n')[0]}` });
  }
}

/** The example shape the model takes (without the batch axis); an IngestError when it has free dimensions. */
export function inputShapeOf(model: tfTypes.LayersModel, file: string): number[] {
  const shape = (model.inputs[0]!.shape as Array<number | null>).slice(1);
  if (shape.some((d) => d === null)) throw new IngestError({ file, reason: `the model's input shape (${shape.map((d) => d ?? 'None').join(', ')}) has free dimensions: expected a fixed input shape` });
  return shape as number[];
}

/** Activations the probe measures: dead units for the ReLU family, saturation for sigmoid and tanh. */
const PROBED: Record<string, string> = { relu: 'relu', elu: 'elu', sigmoid: 'sigmoid', tanh: 'tanh' };

/**
 * A model built from trainingTopology as a job's BuiltModel, for `classes` classes: the logits model, the activation
 * layers the probe reads (those applied once: a shared layer has no single output to probe; no output layer), seeded
 * dropout with a new mask each step. With `io` (several inputs or outputs), the logits model outputs every head as its
 * loss takes it (model-io.ts). Throws an IngestError naming both sides when the classifier does not have one unit
 * per class.
 */
export function builtCustomModel(tf: typeof tfTypes, model: tfTypes.LayersModel, classes: number, seed: number, where: string, io?: ModelIO): BuiltModel {
  const main = io?.main ?? 0;
  const mainOut = model.outputs[main]!;
  const outLayer = mainOut.sourceLayer as tfTypes.layers.Layer;
  const units = (mainOut.shape as number[])[mainOut.shape.length - 1]!;
  if (mainOut.shape.length !== 2 || units !== classes) {
    const which = model.outputs.length > 1 ? `the classifier output '${io?.heads[main]?.name ?? outLayer.name}'` : "the model's output";
    throw new IngestError({ file: where, reason: `${which} has shape (${mainOut.shape.slice(1).join(', ')}) and the data ${classes} classes: expected one output unit per class` });
  }
  // What a head's loss takes: the pre-activation (logits) of a softmax or sigmoid output, else the output itself.
  const trainingTensor = (t: tfTypes.SymbolicTensor, fromLogits: boolean): tfTypes.SymbolicTensor => {
    const l = t.sourceLayer as tfTypes.layers.Layer;
    const act = l.getClassName() === 'Softmax' ? 'softmax' : l.getClassName() === 'Activation' ? String((l.getConfig() as { activation?: string }).activation) : null;
    return fromLogits && (act === 'softmax' || act === 'sigmoid') ? (l.input as tfTypes.SymbolicTensor) : t;
  };
  const logits = io
    ? tf.model({ inputs: model.inputs, outputs: io.heads.map((h, i) => trainingTensor(model.outputs[i]!, trainsFromLogits(h))) })
    : tf.model({ inputs: model.inputs, outputs: outLayer.input as tfTypes.SymbolicTensor });
  const outputLayers = new Set(model.outputs.map((o) => o.sourceLayer));
  const activationLayers: BuiltModel['activationLayers'] = [];
  for (const l of model.layers) {
    if (outputLayers.has(l) || l.inboundNodes.length !== 1) continue;
    const cls = l.getClassName();
    const cfg = l.getConfig() as { activation?: string };
    const fn = cls === 'Activation' ? PROBED[String(cfg.activation)] : cls === 'LeakyReLU' ? 'leakyRelu' : cls === 'ReLU' ? 'relu' : undefined;
    if (fn) activationLayers.push({ layer: l, activation: fn });
  }
  return { model, activationLayers, loss: 'categorical_crossentropy', outputActivation: 'softmax', logits, ...(io ? { io } : {}) };
}
