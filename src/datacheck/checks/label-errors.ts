/**
 * Likely label errors by confident learning: out-of-sample probabilities from k-fold cross-validation with a small
 * model (model/), then the confident joint's off-diagonal (confident-learning.ts). Lists the most suspicious
 * examples with their given and suggested labels.
 */
import type { DataTable } from '../table.ts';
import { createRng, permutation } from '../../jobs/rng.ts';
import { outOfSampleProbabilities } from '../model/cross-val.ts';
import { findLabelIssues, type ConfidentLearningResult } from '../confident-learning.ts';
import { pct, plural, type DataCheckItem } from '../item.ts';
import type { MlpOptions } from '../model/mlp.ts';

/** Share of examples flagged at which the item warns, and fails. */
export const LABEL_NOISE_WARN = 0.01;
export const LABEL_NOISE_FAIL = 0.05;
/** Cross-validation folds. */
export const FOLDS = 5;
/** Fewest examples, and fewest of each class, the check needs (every fold must see every class). */
export const MIN_EXAMPLES = 50;
export const MIN_PER_CLASS = FOLDS;
/** Most examples the check trains on; larger sets are checked on a seeded random sample of this many. */
export const MAX_EXAMPLES = 20_000;
/** The model: one hidden layer of 64 ReLU units, 6 epochs of Adam per fold (bench/datacheck measures the choice). */
export const LABEL_MODEL: Partial<MlpOptions> = { hidden: 64, epochs: 6, batchSize: 32, learningRate: 2e-3, l2: 1e-4 };
/** How many suspects the report lists. */
export const MAX_SUSPECTS = 24;

export interface Suspect {
  index: number;
  name: string;
  given: string;
  suggested: string;
  givenProb: number;
  suggestedProb: number;
  margin: number;
}

export interface LabelErrorsResult {
  item: DataCheckItem;
  /** The most suspicious examples, most suspicious first (at most MAX_SUSPECTS). */
  suspects: Suspect[];
  /** Every flagged example's table index, most suspicious first. */
  flagged: number[];
  /** Out-of-sample probabilities (examples × classes) of the examples checked, in `checked` order. */
  probs: Float32Array | null;
  checked: number[];
  cl: ConfidentLearningResult | null;
}

export interface LabelErrorsOptions {
  seed?: number;
  model?: Partial<MlpOptions>;
  folds?: number;
  maxExamples?: number;
}

export function labelErrorsCheck(t: DataTable, o: LabelErrorsOptions = {}): LabelErrorsResult {
  const base = { id: 'label_noise', title: 'Label errors' };
  const k = t.classNames.length;
  const n = t.y.length;
  const folds = o.folds ?? FOLDS;
  const counts = new Array<number>(k).fill(0);
  for (const c of t.y) counts[c]!++;
  const present = counts.filter((c) => c > 0).length;
  const fewest = Math.min(...counts.filter((c) => c > 0));
  const none = (summary: string, fix: string): LabelErrorsResult => ({ item: { ...base, status: 'unknown', summary, fix, evidence: {} }, suspects: [], flagged: [], probs: null, checked: [], cl: null });
  if (present < 2) return none('one class only: nothing to confuse it with', 'Label errors are found between classes; the file has one.');
  if (n < MIN_EXAMPLES || fewest < MIN_PER_CLASS) {
    return none(`too few examples to cross-validate (${n}, the smallest class ${fewest}; needs ${MIN_EXAMPLES} and ${MIN_PER_CLASS} a class)`, 'Check more data at once, so every fold of the cross-validation sees every class.');
  }
  const seed = o.seed ?? 1;
  const max = o.maxExamples ?? MAX_EXAMPLES;
  let checked: number[];
  if (n > max) {
    checked = Array.from(permutation(n, createRng(seed)).subarray(0, max)).sort((a, b) => a - b);
  } else checked = Array.from({ length: n }, (_, i) => i);
  const f = t.featureSize;
  const x = new Float32Array(checked.length * f);
  checked.forEach((i, r) => x.set(t.x.subarray(i * f, (i + 1) * f), r * f));
  const y = Int32Array.from(checked, (i) => t.y[i]!);
  // Class indices stay the table's; classes absent from the sample simply get no threshold.
  const model: Partial<MlpOptions> = { ...LABEL_MODEL, scaling: t.kind === 'images' ? 'max' : 'standardise', ...o.model };
  const probs = outOfSampleProbabilities(x, y, f, k, { folds, seed, model });
  const cl = findLabelIssues(probs, y, k);
  const flagged = cl.issues.map((is) => checked[is.index]!);
  const share = flagged.length / checked.length;
  const status = share >= LABEL_NOISE_FAIL ? 'fail' : share >= LABEL_NOISE_WARN ? 'warn' : 'pass';
  const suspects: Suspect[] = cl.issues.slice(0, MAX_SUSPECTS).map((is) => ({
    index: checked[is.index]!,
    name: t.names[checked[is.index]!]!,
    given: t.classNames[is.given]!,
    suggested: t.classNames[is.suggested]!,
    givenProb: is.givenProb,
    suggestedProb: is.suggestedProb,
    margin: is.margin,
  }));
  const sampled = checked.length < n ? ` (a random ${checked.length.toLocaleString('en-US')} of ${n.toLocaleString('en-US')})` : '';
  const top = suspects.slice(0, 3).map((s) => `${s.name} ${s.given}→${s.suggested}`).join(', ');
  return {
    item: {
      ...base,
      status,
      summary:
        flagged.length === 0
          ? `no likely label errors among ${plural(checked.length, 'example')}${sampled} (out-of-sample accuracy ${pct(cl.outOfSampleAccuracy)})`
          : `${plural(flagged.length, 'example')} (${pct(share)}) look mislabelled${sampled}; estimated noise ${pct(cl.estimatedNoiseRate)}; most suspicious: ${top}`,
      fix: status === 'pass' ? undefined : 'Review the listed examples (most suspicious first) and relabel or drop the wrong ones; with many, relabel in order of the list, or train with label smoothing or a noise-robust loss meanwhile.',
      evidence: {
        method: `confident learning, ${folds}-fold cross-validated ${model.hidden ? `MLP (${model.hidden} hidden units)` : 'softmax regression'}, ${model.epochs} epochs a fold`,
        checked: checked.length,
        flagged: flagged.length,
        share,
        estimatedNoiseRate: cl.estimatedNoiseRate,
        outOfSampleAccuracy: cl.outOfSampleAccuracy,
        thresholds: Object.fromEntries(cl.thresholds.map((v, c) => [t.classNames[c]!, Number.isFinite(v) ? v : null])),
      },
      examples: suspects.slice(0, 5).map((s) => `${s.name}: given ${s.given}, looks like ${s.suggested} (p ${s.suggestedProb.toFixed(2)} vs ${s.givenProb.toFixed(2)})`),
    },
    suspects,
    flagged,
    probs,
    checked,
    cl,
  };
}
