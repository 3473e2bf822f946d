/**
 * A custom job's model and data, set up in its child process from the files its config carries: the model file
 * parsed (model-json.ts) and rewritten for training (custom-model.ts), the data file read as the data checks read it
 * (datacheck/read: CSV, .npy/.npz, a zip of image folders resized to the model's input), then sliced, split and
 * faulted as a preset's (prepare-data.ts). Every problem with the files is an IngestError naming the file, the entry
 * and what was expected.
 */
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type * as tfTypes from '@tensorflow/tfjs';
import { IngestError } from '../../ingest/ingest-error.ts';
import { readDataFile } from '../../datacheck/read/index.ts';
import { DEFAULT_READ_LIMITS, rowsOf, TRAIN, VALIDATION, type DataTable } from '../../datacheck/table.ts';
import type { Dataset } from '../dataset.ts';
import type { CustomJobConfig, CustomSource } from '../job-config.ts';
import type { BuiltModel } from '../build-model.ts';
import { withFreshMasks } from '../build-model.ts';
import { prepareData, type PreparedData } from '../prepare-data.ts';
import { parseModelJson } from './model-json.ts';
import { buildLayersModel, builtCustomModel, inputShapeOf, trainingTopology, type TrainingTopology } from './custom-model.ts';
import { readDataForModel, type HeadSpec } from './io-data.ts';
import type { InputSlot, ModelIO } from '../model-io.ts';

export interface CustomJobSetup {
  built: BuiltModel;
  data: PreparedData;
}

/** The data file's bytes from the config (gzip, base64), checked against the sha256 it was stored with. */
export function customDataBytes(source: CustomSource): Uint8Array {
  const d = source.data;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(gunzipSync(Buffer.from(d.gzipBase64, 'base64')));
  } catch (e) {
    throw new IngestError({ file: d.name, reason: `the stored copy does not inflate (${e instanceof Error ? e.message : String(e)}): upload the file again` });
  }
  if (bytes.length !== d.bytes || createHash('sha256').update(bytes).digest('hex') !== d.sha256) {
    throw new IngestError({ file: d.name, reason: 'the stored copy does not match the sha256 it was stored with: upload the file again' });
  }
  return bytes;
}

export async function setUpCustomJob(tf: typeof tfTypes, config: CustomJobConfig): Promise<CustomJobSetup> {
  const { model: m, data: d } = config.custom;
  const spec = parseModelJson(new TextEncoder().encode(m.text), m.name);
  const rewritten = trainingTopology(spec.topology, m.name, { dropout: config.dropout, seed: config.seed, training: spec.training });
  const model = await buildLayersModel(tf, rewritten.topology, m.name);
  try {
    if (rewritten.inputs.length > 1 || rewritten.outputs.length > 1) return await setUpSeveralInputsOrOutputs(tf, config, model, rewritten, spec.source, spec.notes);
    const inputShape = inputShapeOf(model, m.name);
    const table = readDataFile(customDataBytes(config.custom), d.name, { ...DEFAULT_READ_LIMITS, maxBytes: d.maxBytes }, {
      labelColumn: config.custom.labelColumn ?? undefined,
      imageShape: inputShape.length === 3 ? inputShape : undefined,
    });
    const { train, val } = datasetsOfTable(table, inputShape, `${m.name} with ${d.name}`);
    let built: BuiltModel;
    try {
      built = builtCustomModel(tf, model, table.classNames.length, config.seed, `${m.name} with ${d.name}`);
    } catch (e) {
      if (e instanceof IngestError) throw e;
      throw new IngestError({ file: m.name, reason: `TensorFlow.js cannot train this model: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` });
    }
    for (const l of model.layers) if (l.getClassName() === 'Dropout' && typeof (l.getConfig() as { seed?: unknown }).seed === 'number') withFreshMasks(l, config.seed);
    const data = prepareData(config, train, { val });
    data.notes.unshift(...[`model: ${m.name} (${spec.source})`, ...spec.notes, ...rewritten.notes, ...table.notes.map((n) => `data: ${n}`), ...inputNotes(table)]);
    return { built, data };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * A model with several inputs or outputs: its inputs and heads from the built model (shapes) and the rewrite (names,
 * losses), the data mapped to them (io-data.ts), the job's BuiltModel scoring every head (model-io.ts).
 */
async function setUpSeveralInputsOrOutputs(tf: typeof tfTypes, config: CustomJobConfig, model: tfTypes.LayersModel, rewritten: TrainingTopology, source: string, specNotes: string[]): Promise<CustomJobSetup> {
  const { model: m, data: d } = config.custom;
  const where = `${m.name} with ${d.name}`;
  const fixed = (t: tfTypes.SymbolicTensor, what: string): number[] => {
    const shape = (t.shape as Array<number | null>).slice(1);
    if (shape.some((x) => x === null)) throw new IngestError({ file: m.name, reason: `${what} has the shape (${shape.map((x) => x ?? 'None').join(', ')}) with free dimensions: expected a fixed shape` });
    return shape as number[];
  };
  const inputs: InputSlot[] = model.inputs.map((t, i) => {
    const name = rewritten.inputs[i] ?? t.name;
    const shape = fixed(t, `the input '${name}'`);
    return { name, shape, size: shape.reduce((a, b) => a * b, 1) };
  });
  const heads: HeadSpec[] = model.outputs.map((t, i) => {
    const o = rewritten.outputs[i]!;
    const shape = fixed(t, `the output '${o.name}'`);
    return { name: o.name, shape, size: shape.reduce((a, b) => a * b, 1), loss: o.loss.kind, label: o.loss.label, weight: o.loss.weight };
  });
  const mapped = readDataForModel(customDataBytes(config.custom), d.name, { ...DEFAULT_READ_LIMITS, maxBytes: d.maxBytes }, { labelColumn: config.custom.labelColumn ?? undefined, inputs, heads, main: rewritten.main });
  const io: ModelIO = { inputs, heads: mapped.heads, main: rewritten.main };
  let built: BuiltModel;
  try {
    built = builtCustomModel(tf, model, mapped.table.classNames.length, config.seed, where, io);
  } catch (e) {
    if (e instanceof IngestError) throw e;
    throw new IngestError({ file: m.name, reason: `TensorFlow.js cannot train this model: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` });
  }
  for (const l of model.layers) if (l.getClassName() === 'Dropout' && typeof (l.getConfig() as { seed?: unknown }).seed === 'number') withFreshMasks(l, config.seed);
  if (config.augment && !inputs.some((i) => i.shape.length === 3)) throw new IngestError({ file: where, reason: 'augmentation applies to image inputs, and none of the model\'s inputs is an image (height, width, channels)' });
  const data = prepareData(config, mapped.train, { val: mapped.val });
  data.notes.unshift(...[`model: ${m.name} (${source})`, ...specNotes, ...rewritten.notes, ...mapped.table.notes.map((n) => `data: ${n}`), ...mapped.notes]);
  return { built, data };
}

/** For a table of rows: which inputs the model gets, numeric columns as they are and one-hot columns. */
function inputNotes(table: DataTable): string[] {
  if (table.kind !== 'rows' || table.featureNames.length === 0) return [];
  const list = (names: string[]) => (names.length > 8 ? `${names.slice(0, 8).join(', ')} … +${names.length - 8}` : names.join(', '));
  const oneHot = table.featureNames.filter((n) => n.includes('='));
  const numeric = table.featureNames.filter((n) => !n.includes('='));
  const parts = [numeric.length ? `${numeric.length} numeric as they are (${list(numeric)})` : null, oneHot.length ? `${oneHot.length} one-hot (${list(oneHot)})` : null].filter(Boolean);
  return [`inputs: ${table.featureSize} per example: ${parts.join(', ')}`];
}

/**
 * A data file's examples as the job's datasets, shaped as the model's input: the training side, and the validation
 * side when the file sets one apart. `where` names the model and the data in the error when they do not fit.
 */
export function datasetsOfTable(table: DataTable, inputShape: number[], where: string): { train: Dataset; val: Dataset | null } {
  const per = inputShape.reduce((a, b) => a * b, 1);
  if (per !== table.featureSize) {
    throw new IngestError({ file: where, reason: `the model takes inputs of shape (${inputShape.join(', ')}) = ${per} values, the data's examples have ${table.featureSize} (${table.inputShape.join('×')})` });
  }
  const side = (flag: number): Dataset => {
    const { x, y } = rowsOf(table, flag);
    return { name: table.source, inputShape, featureSize: per, x, y, classes: table.classNames.length, classNames: table.classNames };
  };
  const train = side(TRAIN);
  if (train.y.length === 0) throw new IngestError({ file: table.source, reason: 'every example is marked for validation: expected training examples too' });
  return { train, val: table.hasValidation ? side(VALIDATION) : null };
}
