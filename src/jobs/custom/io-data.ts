/**
 * A data file mapped to a model with several inputs or several outputs (issue 19). The rules, also in the README:
 * - Inputs. An .npz may hold one array per input, `x_<input name>` (and `x_val_<input name>` for a validation part),
 *   each of shape (n, …) with as many values an example as that input takes. Otherwise, and for a CSV or an .npy,
 *   each example's features (a CSV's feature columns in their order, a text column's one-hot columns where it
 *   stands) are dealt to the inputs in the model's order, each taking as many as its shape holds. A zip of image
 *   folders gives one image an example: it feeds a model with one input only.
 * - Outputs. The classifier output (the first with a categorical cross-entropy loss) trains on the file's class
 *   labels, `y` (or `y_<its name>`) as the data checks read them. Any other output trains on an array of its own
 *   when the .npz has `y_<output name>` (and `y_val_<output name>` beside a validation part), else on the class
 *   labels too: one-hot when it has one unit per class, the class index when it has one unit.
 * Everything that does not fit is an IngestError naming the file, the array or input or output, and the shape
 * expected. Pure.
 */
import { IngestError } from '../../ingest/ingest-error.ts';
import { isZip } from '../../ingest/archive.ts';
import { isNpy, type NpyArray } from '../../datacheck/read/npy.ts';
import { ARRAY_NAMES, loadNpzArray, npzMembers, tableFromArrays, type NpzMembers, type Part } from '../../datacheck/read/arrays.ts';
import { readDataFile } from '../../datacheck/read/index.ts';
import { rowsOf, TRAIN, VALIDATION, type DataTable, type ReadLimits } from '../../datacheck/table.ts';
import type { Dataset } from '../dataset.ts';
import type { Head, InputSlot } from '../model-io.ts';

/** A head before the data says where its targets come from. */
export type HeadSpec = Omit<Head, 'targets'>;

export interface ModelData {
  /** The examples as the data checks read them: one row an example, the inputs' values one after another. */
  table: DataTable;
  train: Dataset;
  val: Dataset | null;
  /** The heads with their targets decided. */
  heads: Head[];
  notes: string[];
}

const shapeText = (shape: number[]) => `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function readDataForModel(bytes: Uint8Array, file: string, limits: ReadLimits, o: { labelColumn?: string; inputs: InputSlot[]; heads: HeadSpec[]; main: number }): ModelData {
  const notes: string[] = [];
  let table: DataTable;
  let own = new Map<string, { train: Float32Array; val: Float32Array | null }>();
  const npz = isZip(bytes) && !isNpy(bytes) ? npzMembers(bytes, file, limits) : null;
  if (npz && npz.size > 0) {
    const r = readNpzForModel(npz, file, limits, o);
    table = r.table;
    own = r.own;
  } else {
    table = readDataFile(bytes, file, limits, { labelColumn: o.labelColumn, imageShape: o.inputs.length === 1 && o.inputs[0]!.shape.length === 3 ? o.inputs[0]!.shape : undefined });
    if (o.inputs.length > 1 && table.kind === 'images') {
      throw new IngestError({ file, reason: `a zip of image folders gives one image an example, and the model has ${o.inputs.length} inputs (${o.inputs.map((i) => i.name).join(', ')}): expected an .npz with an array x_<input> for each, or a CSV whose feature columns are split among them` });
    }
  }
  const total = o.inputs.reduce((a, i) => a + i.size, 0);
  if (table.featureSize !== total) {
    const each = o.inputs.map((i) => `'${i.name}' ${shapeText(i.shape)} = ${i.size}`).join(', ');
    throw new IngestError({ file, reason: `the model's inputs take ${total} values an example (${each}), the data's examples have ${table.featureSize} (${table.inputShape.join('×')}): expected ${o.inputs.length > 1 ? 'their features to add up to the inputs\' sizes, dealt in the model\'s input order' : 'the same'}` });
  }
  if (o.inputs.length > 1 && table.featureNames.length === total && !npz) {
    let at = 0;
    notes.push(`inputs, the features in order: ${o.inputs.map((i) => `'${i.name}' ← ${listed(table.featureNames.slice(at, (at += i.size)))}`).join('; ')}`);
  }

  // Where each output's targets come from.
  const K = table.classNames.length;
  const heads: Head[] = o.heads.map((h, i) => {
    if (i === o.main) return { ...h, targets: 'onehot' };
    if (own.has(h.name)) return { ...h, targets: 'own' };
    if (h.loss === 'none') return { ...h, targets: h.size === K ? 'onehot' : 'index' };
    const oneHot = h.size === K;
    const index = h.size === 1 && (h.loss !== 'binary_crossentropy' || K === 2) && h.loss !== 'categorical_crossentropy';
    if (!oneHot && !index) {
      const want = h.loss === 'categorical_crossentropy' ? `${K} units (one per class)` : h.loss === 'binary_crossentropy' ? `${K} units (one per class)${K === 2 ? ' or one' : ''}` : `${K} units (one per class) or one (the class index)`;
      throw new IngestError({
        file,
        reason: `output '${h.name}' gives ${shapeText(h.shape)} an example and, with no y_${h.name} array of its own, trains on the class labels (${K} classes) with ${h.label}: expected ${want}, or its own targets as y_${h.name} in an .npz${/job's default/.test(h.label) ? ' with a loss for it in the model\'s compile config (mean squared error, say)' : ''}`,
      });
    }
    return { ...h, targets: oneHot ? 'onehot' : 'index' };
  });
  const trained = heads.map((h, i) => (i === o.main ? `'${h.name}' the class labels` : h.targets === 'own' ? `'${h.name}' y_${h.name}` : h.loss === 'none' ? `'${h.name}' nothing (no loss)` : `'${h.name}' the class labels ${h.targets === 'onehot' ? 'one-hot' : 'as a number'}`));
  if (heads.length > 1) notes.push(`targets: ${trained.join('; ')}`);

  // The two sides of the split, each with its inputs' layout and its outputs' own targets.
  const side = (flag: number): Dataset => {
    const { idx, x, y } = rowsOf(table, flag);
    const ds: Dataset = { name: table.source, inputShape: o.inputs.length === 1 ? o.inputs[0]!.shape : [total], featureSize: total, x, y, classes: K, classNames: table.classNames };
    if (o.inputs.length > 1) ds.inputs = o.inputs.map((s) => ({ ...s }));
    if (own.size) {
      // Own targets are stored training part first, then validation: the side's k-th example is the k-th of its part.
      ds.targets = Object.fromEntries(
        [...own].map(([name, t]) => {
          const size = heads.find((h) => h.name === name)!.size;
          const values = flag === TRAIN ? t.train : t.val!;
          return [name, { size, values: Float32Array.from(values.subarray(0, idx.length * size)) }];
        }),
      );
    }
    return ds;
  };
  const train = side(TRAIN);
  if (train.y.length === 0) throw new IngestError({ file, reason: 'every example is marked for validation: expected training examples too' });
  return { table, train, val: table.hasValidation ? side(VALIDATION) : null, heads, notes };
}

function listed(names: string[]): string {
  return names.length > 6 ? `${names.slice(0, 6).join(', ')} … +${names.length - 6}` : names.join(', ');
}

/** The .npz side of readDataForModel: the inputs' arrays (named or one x), the class labels, the outputs' own arrays. */
function readNpzForModel(arrays: NpzMembers, file: string, limits: ReadLimits, o: { inputs: InputSlot[]; heads: HeadSpec[]; main: number }): { table: DataTable; own: Map<string, { train: Float32Array; val: Float32Array | null }> } {
  const held = [...arrays.keys()].join(', ') || 'no .npy members';
  const pick = (names: readonly string[]) => names.find((n) => arrays.has(n));
  const load = (name: string) => loadNpzArray(arrays, name, file, limits);
  const mainName = o.heads[o.main]!.name;
  const named = o.inputs.map((i) => `x_${i.name}`);
  const namedVal = o.inputs.map((i) => `x_val_${i.name}`);
  const byName = named.every((n) => arrays.has(n));
  const xName = byName ? null : pick(ARRAY_NAMES.x);
  if (!byName && !xName) {
    const some = named.filter((n) => arrays.has(n));
    const missing = named.filter((n) => !arrays.has(n));
    throw new IngestError({
      file,
      reason: some.length
        ? `has ${some.join(', ')} but not ${missing.join(', ')}: expected an array x_<input> for each of the model's inputs (${named.join(', ')}), found ${held}`
        : `expected an array x_<input> for each of the model's inputs (${named.join(', ')}) or one array x whose features are dealt to them in order, and the class labels y; found ${held}`,
    });
  }
  const yName = pick(ARRAY_NAMES.y) ?? (arrays.has(`y_${mainName}`) ? `y_${mainName}` : undefined);
  if (!yName) throw new IngestError({ file, reason: `expected the class labels of output '${mainName}' as y (or y_${mainName}), found ${held}` });
  const yValName = pick(ARRAY_NAMES.yVal) ?? (arrays.has(`y_val_${mainName}`) ? `y_val_${mainName}` : undefined);

  /** The inputs' arrays of one side as one (n, Σ sizes) array, each checked against its input. */
  const joined = (names: string[], side: string): { x: NpyArray; name: string } => {
    const parts = names.map((n, k) => {
      const a = load(n);
      const slot = o.inputs[k]!;
      if (!a.values) throw new IngestError({ file, reason: `${n} holds strings (${a.descr}): expected numbers` });
      const ex = a.shape.slice(1);
      if (a.shape.length < 2 || sizeOf(ex) !== slot.size) {
        throw new IngestError({ file, reason: `${n} has shape ${shapeText(a.shape)}: the model's input '${slot.name}' takes ${shapeText(slot.shape)} = ${slot.size} values an example, so expected (n, ${slot.shape.join(', ')})` });
      }
      return a;
    });
    const n = parts[0]!.shape[0]!;
    parts.forEach((a, k) => {
      if (a.shape[0] !== n) throw new IngestError({ file, reason: `${names[k]} has ${a.shape[0]} examples and ${names[0]} ${n}: expected the same number in every ${side} input array` });
    });
    if (parts.length === 1) return { x: parts[0]!, name: names[0]! };
    const total = o.inputs.reduce((s, i) => s + i.size, 0);
    const values = new Float64Array(n * total);
    let offset = 0;
    parts.forEach((a, k) => {
      const size = o.inputs[k]!.size;
      for (let i = 0; i < n; i++) values.set(a.values!.subarray(i * size, (i + 1) * size), i * total + offset);
      offset += size;
    });
    return { x: { shape: [n, total], descr: '<f8', values, strings: null }, name: names.join('+') };
  };

  const parts: Part[] = [];
  const noteParts: string[] = [];
  if (byName) {
    const t = joined(named, 'training');
    parts.push({ x: t.x, y: load(yName), xName: t.name, yName });
    noteParts.push(`inputs ${o.inputs.map((i) => `'${i.name}' ← x_${i.name}`).join(', ')}; labels ${yName}`);
    const someVal = namedVal.filter((n) => arrays.has(n));
    if (someVal.length) {
      if (someVal.length !== namedVal.length) throw new IngestError({ file, reason: `has ${someVal.join(', ')} but not ${namedVal.filter((n) => !arrays.has(n)).join(', ')}: a validation part needs an array for each input` });
      if (!yValName) throw new IngestError({ file, reason: `has validation inputs (${namedVal.join(', ')}) but no validation labels: expected y_val` });
      const v = joined(namedVal, 'validation');
      parts.push({ x: v.x, y: load(yValName), xName: v.name, yName: yValName });
      noteParts.push(`validation ${namedVal.join(', ')}, ${yValName}`);
    }
  } else {
    parts.push({ x: load(xName!), y: load(yName), xName: xName!, yName });
    const xValName = pick(ARRAY_NAMES.xVal);
    if (xValName && yValName) parts.push({ x: load(xValName), y: load(yValName), xName: xValName, yName: yValName });
    noteParts.push(`arrays ${xName}, ${yName}${parts.length > 1 ? ` and validation ${parts[1]!.xName}, ${parts[1]!.yName}` : ''}`);
  }
  const table = tableFromArrays(parts, file, limits, [`read ${noteParts.join('; ')}`]);

  // The other outputs' own arrays.
  const own = new Map<string, { train: Float32Array; val: Float32Array | null }>();
  const nTrain = parts[0]!.x.shape[0]!;
  const nVal = parts[1]?.x.shape[0] ?? 0;
  o.heads.forEach((h, i) => {
    if (i === o.main || !arrays.has(`y_${h.name}`)) return;
    const train = ownTargets(load(`y_${h.name}`), `y_${h.name}`, nTrain, h, file);
    let val: Float32Array | null = null;
    if (parts.length > 1) {
      if (!arrays.has(`y_val_${h.name}`)) throw new IngestError({ file, reason: `has y_${h.name} and a validation part but no y_val_${h.name}: expected the validation targets of output '${h.name}' too` });
      val = ownTargets(load(`y_val_${h.name}`), `y_val_${h.name}`, nVal, h, file);
    }
    own.set(h.name, { train, val });
    table.notes.push(`output '${h.name}' trains on y_${h.name}${val ? ` (validation: y_val_${h.name})` : ''}`);
  });
  return { table, own };
}

/** An output's own targets, n × its size, as its loss takes them. */
function ownTargets(a: NpyArray, name: string, n: number, h: HeadSpec, file: string): Float32Array {
  if (!a.values) throw new IngestError({ file, reason: `${name} holds strings (${a.descr}): expected numbers for output '${h.name}'` });
  if (a.shape[0] !== n) throw new IngestError({ file, reason: `${name} has ${a.shape[0]} rows and the inputs ${n} examples: expected one target of output '${h.name}' per example` });
  const ex = a.shape.slice(1);
  const v = a.values;
  const expected = h.size === 1 ? `(${n},) or (${n}, 1)` : `(${n}, ${h.shape.join(', ')})`;
  // Class indices for a categorical cross-entropy output: one-hot here.
  if (h.loss === 'categorical_crossentropy' && ex.length === 0 && h.size > 1) {
    const out = new Float32Array(n * h.size);
    for (let i = 0; i < n; i++) {
      const c = v[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= h.size) throw new IngestError({ file, reason: `${name}[${i}] is ${c}: output '${h.name}' has ${h.size} classes, so expected class indices 0–${h.size - 1} (or one-hot rows of ${h.size})` });
      out[i * h.size + c] = 1;
    }
    return out;
  }
  if (sizeOf(ex) !== h.size) {
    throw new IngestError({ file, reason: `${name} has shape ${shapeText(a.shape)}: output '${h.name}' gives ${shapeText(h.shape)} an example, so expected ${h.loss === 'categorical_crossentropy' ? `(${n},) class indices or ` : ''}${expected}` });
  }
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) throw new IngestError({ file, reason: `${name} holds ${x} at flat index ${i}: expected finite targets` });
    if (h.loss === 'binary_crossentropy' && (x < 0 || x > 1)) throw new IngestError({ file, reason: `${name} holds ${x} at flat index ${i}: output '${h.name}' is trained with binary cross-entropy, so expected targets in 0–1` });
  }
  return Float32Array.from(v);
}
