/**
 * The data a job trains on: the preset's dataset (or a custom job's own, read from its file), sliced, split, and with
 * the switched-on data faults applied. Pure and seeded: the same config gives the same examples in the same order.
 */
import type { Dataset } from './dataset.ts';
import { datasetSize, loadDataset, splitDataset, subset, takeBalanced } from './dataset.ts';
import { isCustomJob, type JobConfig } from './job-config.ts';
import { PRESETS } from './presets.ts';
import { createRng, permutation } from './rng.ts';

export interface PreparedData {
  train: Dataset;
  val: Dataset | null;
  /** Whether batches are reshuffled every epoch (off for the sorted-labels fault). */
  shuffle: boolean;
  /** What the faults did, for the run's notes. */
  notes: string[];
}

/**
 * `dataset` is what the job trains on (default: the preset's); `o.val`, validation examples the data file set apart
 * itself (a split column, x_val/y_val, a val/ folder): then `dataset` is the training side, used as it is, and the
 * config's validation share is not drawn.
 */
export function prepareData(config: JobConfig, dataset?: Dataset, o: { val?: Dataset | null } = {}): PreparedData {
  if (!dataset && isCustomJob(config)) throw new Error('a custom job trains on its own data: pass its dataset');
  const all = dataset ?? loadDataset(PRESETS[config.preset as Exclude<JobConfig['preset'], 'custom'>].dataset, config.seed);
  const { faults } = config;
  const notes: string[] = [];
  const ds = config.limit !== null ? takeBalanced(all, config.limit) : all;
  const valFraction = faults.noValidation ? 0 : config.validationSplit;
  if (faults.noValidation) notes.push('fault no-validation: no validation split');
  let { train, val } = o.val ? { train: ds, val: faults.noValidation ? null : o.val } : splitDataset(ds, valFraction, config.seed);
  if (o.val && val) notes.push(`validation: the ${datasetSize(val)} examples the file sets apart (the validation share setting is not used)`);
  const rng = createRng(config.seed ^ 0x5eed);

  if (faults.tinyTrain !== undefined) {
    train = keepPerClass(train, () => faults.tinyTrain!);
    notes.push(`fault tiny-train: ${faults.tinyTrain} training examples per class (${datasetSize(train)} in all)`);
  }
  if (faults.classImbalance !== undefined && faults.classImbalance > 1) {
    const ratio = faults.classImbalance;
    const counts = countByClass(train);
    // Geometric profile from the full class 0 down to 1/ratio of it for the last class.
    train = keepPerClass(train, (c) => Math.max(1, Math.round(counts[c]! * ratio ** (-c / Math.max(1, train.classes - 1)))));
    notes.push(`fault class-imbalance: class counts fall geometrically to 1/${ratio} (${countByClass(train).join(', ')})`);
  }
  if (faults.labelNoise !== undefined && faults.labelNoise > 0) {
    const y = Int32Array.from(train.y);
    const n = y.length;
    const flips = Math.round(n * faults.labelNoise);
    const order = permutation(n, rng);
    for (let k = 0; k < flips; k++) {
      const i = order[k]!;
      y[i] = (y[i]! + 1 + rng.int(train.classes - 1)) % train.classes;
    }
    train = { ...train, y };
    notes.push(`fault label-noise: ${flips} of ${n} training labels replaced by another class`);
  }
  if (faults.unnormalized) {
    const scale = (d: Dataset): Dataset => ({ ...d, x: Float32Array.from(d.x, (v) => v * 255) });
    train = scale(train);
    if (val) val = scale(val);
    notes.push('fault unnormalized: inputs multiplied by 255');
  }
  if (config.normalizeInputs) {
    const n = normalizeInputs(train, val);
    train = n.train;
    val = n.val;
    notes.push(n.note);
  }
  let shuffle = config.shuffle;
  if (faults.sortedLabels) {
    const idx = Array.from({ length: datasetSize(train) }, (_, i) => i).sort((a, b) => train.y[a]! - train.y[b]! || a - b);
    train = subset(train, idx);
    shuffle = false;
    notes.push('fault sorted-labels: training data sorted by label, shuffling off');
  }
  return { train, val, shuffle, notes };
}

/**
 * Inputs normalised from the training split's statistics, applied to both splits: images (a [h, w, c] example
 * shape) divided by their largest absolute value (pixels to 0–1), rows standardised per feature (a constant feature
 * is only centred).
 */
export function normalizeInputs(train: Dataset, val: Dataset | null): { train: Dataset; val: Dataset | null; note: string } {
  const f = train.featureSize;
  const n = datasetSize(train);
  if (train.inputShape.length === 3) {
    let max = 0;
    for (const v of train.x) max = Math.max(max, Math.abs(v));
    const k = max > 0 ? 1 / max : 1;
    const scale = (d: Dataset): Dataset => ({ ...d, x: Float32Array.from(d.x, (v) => v * k) });
    return { train: scale(train), val: val ? scale(val) : null, note: `inputs normalised: divided by ${Number(max.toPrecision(4))}, the largest training value` };
  }
  const mean = new Float64Array(f);
  const sq = new Float64Array(f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) mean[j]! += train.x[i * f + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) sq[j]! += (train.x[i * f + j]! - mean[j]!) ** 2 / n;
  const inv = Array.from(sq, (v) => (v > 0 ? 1 / Math.sqrt(v) : 1));
  // A model with several inputs: an image input is divided by its largest value, as a one-input image model's is.
  const images: string[] = [];
  let at = 0;
  for (const slot of train.inputs ?? []) {
    if (slot.shape.length === 3) {
      let max = 0;
      for (let i = 0; i < n; i++) for (let j = at; j < at + slot.size; j++) max = Math.max(max, Math.abs(train.x[i * f + j]!));
      for (let j = at; j < at + slot.size; j++) {
        mean[j] = 0;
        inv[j] = max > 0 ? 1 / max : 1;
      }
      images.push(`'${slot.name}' divided by ${Number(max.toPrecision(4))}`);
    }
    at += slot.size;
  }
  const apply = (d: Dataset): Dataset => ({ ...d, x: Float32Array.from(d.x, (v, i) => (v - mean[i % f]!) * inv[i % f]!) });
  const note = images.length
    ? `inputs normalised with training-split statistics: ${images.join(', ')}, the largest training value; the other features standardised (mean 0, std 1)`
    : `inputs normalised: each of the ${f} features standardised (mean 0, std 1) with training-split statistics`;
  return { train: apply(train), val: val ? apply(val) : null, note };
}

function countByClass(ds: Dataset): number[] {
  const counts = new Array<number>(ds.classes).fill(0);
  for (const c of ds.y) counts[c]!++;
  return counts;
}

/** Keeps the first `keep(c)` examples of every class c, preserving order. */
function keepPerClass(ds: Dataset, keep: (c: number) => number): Dataset {
  const seen = new Array<number>(ds.classes).fill(0);
  const idx: number[] = [];
  for (let i = 0; i < ds.y.length; i++) {
    const c = ds.y[i]!;
    if (seen[c]! < keep(c)) {
      seen[c]!++;
      idx.push(i);
    }
  }
  return subset(ds, idx);
}
