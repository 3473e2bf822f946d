/**
 * Out-of-sample predicted probabilities by stratified k-fold cross-validation: every example's probabilities come
 * from a model that never saw it (confident learning needs exactly that; in-sample probabilities memorise the noise).
 * Pure and seeded.
 */
import { createRng, permutation } from '../../jobs/rng.ts';
import { fitPredict, type MlpOptions } from './mlp.ts';

export interface CrossValOptions {
  folds: number;
  seed: number;
  model: Partial<MlpOptions>;
}

/** Fold of each example: the members of each class dealt round-robin over the folds after a seeded shuffle. */
export function stratifiedFolds(y: Int32Array, k: number, folds: number, seed: number): Int32Array {
  const fold = new Int32Array(y.length);
  const order = permutation(y.length, createRng(seed));
  const next = new Int32Array(k);
  for (const i of order) {
    const c = y[i]!;
    fold[i] = next[c]! % folds;
    next[c]!++;
  }
  return fold;
}

/** n × k probabilities, row-major, each row from the model trained on the other folds. */
export function outOfSampleProbabilities(x: Float32Array, y: Int32Array, f: number, k: number, o: CrossValOptions): Float32Array {
  const n = y.length;
  const fold = stratifiedFolds(y, k, o.folds, o.seed);
  const probs = new Float32Array(n * k);
  for (let v = 0; v < o.folds; v++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === v ? testIdx : trainIdx).push(i);
    if (testIdx.length === 0) continue;
    const xTrain = gather(x, trainIdx, f);
    const yTrain = Int32Array.from(trainIdx, (i) => y[i]!);
    const p = fitPredict(xTrain, yTrain, gather(x, testIdx, f), f, k, { ...o.model, seed: o.seed * 31 + v });
    testIdx.forEach((i, r) => probs.set(p.subarray(r * k, (r + 1) * k), i * k));
  }
  return probs;
}

function gather(x: Float32Array, idx: number[], f: number): Float32Array {
  const out = new Float32Array(idx.length * f);
  idx.forEach((i, r) => out.set(x.subarray(i * f, (i + 1) * f), r * f));
  return out;
}
