/**
 * NumPy arrays (.npy of a structured pair, or an .npz holding x/y, x_train/y_train with x_val/y_val …) → a DataTable.
 * The names looked for are listed in ARRAY_NAMES; an archive without them gets an error listing what it holds.
 */
import { IngestError } from '../../ingest/ingest-error.ts';
import { unzipEntries } from '../../ingest/archive.ts';
import { TRAIN, VALIDATION, type DataTable, type ReadLimits } from '../table.ts';
import { parseNpy, type NpyArray } from './npy.ts';
import { labelsFromNumbers, labelsFromOneHot, labelsFromStrings, type Labels } from './labels.ts';

/** Array names read from an .npz, first match wins: inputs, labels, and the validation pair. */
export const ARRAY_NAMES = {
  x: ['x', 'X', 'x_train', 'X_train', 'inputs', 'features', 'images', 'data'],
  y: ['y', 'Y', 'y_train', 'Y_train', 'labels', 'label', 'targets', 'target'],
  xVal: ['x_val', 'X_val', 'x_valid', 'x_validation', 'x_test', 'X_test', 'val_x'],
  yVal: ['y_val', 'Y_val', 'y_valid', 'y_validation', 'y_test', 'Y_test', 'val_y'],
} as const;

/** An .npz's arrays by name (the member's name without .npy), still encoded: parse one with loadNpzArray. */
export type NpzMembers = Map<string, { entry: string; bytes: Uint8Array }>;

export function npzMembers(bytes: Uint8Array, file: string, limits: ReadLimits): NpzMembers {
  const entries = unzipEntries(bytes, file, { maxTotalBytes: limits.maxBytes });
  const arrays: NpzMembers = new Map();
  for (const e of entries) {
    const name = e.path.replace(/\.npy$/, '');
    if (name !== e.path) arrays.set(name, { entry: e.path, bytes: e.bytes });
  }
  return arrays;
}

/** One array of an .npz, decoded (its size checked against the limit first). */
export function loadNpzArray(arrays: NpzMembers, name: string, file: string, limits: ReadLimits): NpyArray {
  const a = arrays.get(name)!;
  return parseNpy(a.bytes, file, limits.maxBytes, a.entry);
}

export function readNpz(bytes: Uint8Array, file: string, limits: ReadLimits): DataTable {
  const arrays = npzMembers(bytes, file, limits);
  const pick = (names: readonly string[]) => names.find((n) => arrays.has(n));
  const xName = pick(ARRAY_NAMES.x);
  const yName = pick(ARRAY_NAMES.y);
  const held = [...arrays.keys()].join(', ') || 'no .npy members';
  if (!xName || !yName) {
    throw new IngestError({ file, reason: `expected arrays named x and y (np.savez(f, x=…, y=…); also x_train/y_train with x_val/y_val), found ${held}` });
  }
  const load = (name: string) => loadNpzArray(arrays, name, file, limits);
  const xValName = pick(ARRAY_NAMES.xVal);
  const yValName = pick(ARRAY_NAMES.yVal);
  const parts = [{ x: load(xName), y: load(yName), xName, yName }];
  if (xValName && yValName) parts.push({ x: load(xValName), y: load(yValName), xName: xValName, yName: yValName });
  const notes = [`read arrays ${xName}, ${yName}${parts.length > 1 ? ` and validation ${xValName}, ${yValName}` : ''}`];
  return tableFromArrays(parts, file, limits, notes);
}

export function readNpy(bytes: Uint8Array, file: string, limits: ReadLimits): DataTable {
  const a = parseNpy(bytes, file, limits.maxBytes);
  // A single array: the last column is the label (np.save(f, np.column_stack([x, y]))).
  if (a.shape.length !== 2 || a.shape[1]! < 2 || !a.values) {
    throw new IngestError({ file, reason: `one array of shape (${a.shape.join(', ')}): expected an .npz with x and y, or a 2-D .npy whose last column is the label` });
  }
  const [n, cols] = a.shape as [number, number];
  const f = cols - 1;
  const x = new Float64Array(n * f);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) x[i * f + j] = a.values[i * cols + j]!;
    y[i] = a.values[i * cols + f]!;
  }
  return tableFromArrays(
    [{ x: { shape: [n, f], descr: a.descr, values: x, strings: null }, y: { shape: [n], descr: a.descr, values: y, strings: null }, xName: 'x', yName: 'y' }],
    file,
    limits,
    [`one ${n} × ${cols} array: the last column read as the label`],
  );
}

/** Inputs and labels of one side of the split (training first, then validation). */
export interface Part {
  x: NpyArray;
  y: NpyArray;
  xName: string;
  yName: string;
}

function labelsOf(a: NpyArray, n: number, file: string, name: string): Labels {
  if (a.strings) {
    if (a.shape.length !== 1) throw new IngestError({ file, reason: `${name} has shape (${a.shape.join(', ')}): expected one string label per example` });
    return labelsFromStrings(a.strings, file, name);
  }
  const v = a.values!;
  if (a.shape.length === 2 && a.shape[1]! > 1) return labelsFromOneHot(v, n, a.shape[1]!, file, name);
  if (a.shape.length > 2 || (a.shape.length === 2 && a.shape[1] !== 1)) {
    throw new IngestError({ file, reason: `${name} has shape (${a.shape.join(', ')}): expected (n,) class labels or (n, K) one-hot rows` });
  }
  return labelsFromNumbers(v, file, name);
}

export function tableFromArrays(parts: Part[], file: string, limits: ReadLimits, notes: string[]): DataTable {
  const first = parts[0]!;
  const exampleShape = first.x.shape.slice(1);
  for (const p of parts) {
    if (!p.x.values) throw new IngestError({ file, reason: `${p.xName} holds strings (${p.x.descr}): expected numbers` });
    if (p.x.shape.length < 2) throw new IngestError({ file, reason: `${p.xName} has shape (${p.x.shape.join(', ')}): expected (n, features) or (n, height, width[, channels])` });
    if (p.x.shape.slice(1).join() !== exampleShape.join()) {
      throw new IngestError({ file, reason: `${p.xName} has examples of shape (${p.x.shape.slice(1).join(', ')}), ${first.xName} of (${exampleShape.join(', ')}): expected the same` });
    }
    const ny = p.y.shape[0] ?? 0;
    if (p.x.shape[0] !== ny) throw new IngestError({ file, reason: `${p.xName} has ${p.x.shape[0]} examples and ${p.yName} ${ny} labels: expected one label per example` });
  }
  const n = parts.reduce((s, p) => s + p.x.shape[0]!, 0);
  if (n === 0) throw new IngestError({ file, reason: 'no examples: the arrays are empty' });
  if (n > limits.maxExamples) throw new IngestError({ file, reason: `${n} examples, over the limit of ${limits.maxExamples}` });
  const featureSize = exampleShape.reduce((a, b) => a * b, 1);
  if (featureSize === 0) throw new IngestError({ file, reason: `examples of shape (${exampleShape.join(', ')}) hold no values` });

  // Labels of all parts share one class list: join them, then split back.
  const yAll: NpyArray = parts.length === 1 ? first.y : joinLabels(parts.map((p) => p.y), file);
  const labels = labelsOf(yAll, n, file, parts.map((p) => p.yName).join('+'));
  const x = new Float32Array(n * featureSize);
  const split = new Uint8Array(n);
  let at = 0;
  parts.forEach((p, k) => {
    x.set(p.x.values!, at * featureSize);
    split.fill(k === 0 ? TRAIN : VALIDATION, at, at + p.x.shape[0]!);
    at += p.x.shape[0]!;
  });
  const images = exampleShape.length === 2 || (exampleShape.length === 3 && [1, 3, 4].includes(exampleShape[2]!));
  const inputShape = exampleShape.length === 2 ? [exampleShape[0]!, exampleShape[1]!, 1] : exampleShape;
  const names: string[] = [];
  parts.forEach((p) => {
    for (let i = 0; i < p.x.shape[0]!; i++) names.push(`${p.xName}[${i}]`);
  });
  return {
    source: file,
    kind: images ? 'images' : 'rows',
    inputShape: images ? inputShape : [featureSize],
    featureSize,
    x,
    y: labels.y,
    classNames: labels.classNames,
    split,
    hasValidation: parts.length > 1,
    names,
    featureNames: images ? [] : Array.from({ length: featureSize }, (_, j) => `x${j}`),
    notes: [...notes, ...labels.notes, ...(exampleShape.length > 1 && !images ? [`examples of shape (${exampleShape.join(', ')}) read as ${featureSize} features`] : [])],
  };
}

function joinLabels(ys: NpyArray[], file: string): NpyArray {
  const strings = ys.every((y) => y.strings);
  const numeric = ys.every((y) => y.values);
  if (!strings && !numeric) throw new IngestError({ file, reason: 'training labels and validation labels have different kinds (strings and numbers): expected the same' });
  const tail = ys[0]!.shape.slice(1).join();
  if (ys.some((y) => y.shape.slice(1).join() !== tail)) throw new IngestError({ file, reason: 'training and validation labels have different shapes: expected the same' });
  const n = ys.reduce((s, y) => s + y.shape[0]!, 0);
  if (strings) return { shape: [n], descr: ys[0]!.descr, values: null, strings: ys.flatMap((y) => y.strings!) };
  const total = ys.reduce((s, y) => s + y.values!.length, 0);
  const values = new Float64Array(total);
  let at = 0;
  for (const y of ys) {
    values.set(y.values!, at);
    at += y.values!.length;
  }
  return { shape: [n, ...ys[0]!.shape.slice(1)], descr: ys[0]!.descr, values, strings: null };
}
