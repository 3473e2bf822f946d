/**
 * The label-error check measured (issue 19): MNIST digits (the `mnist` package's 10,000) with 5 %, 10 % and 20 % of
 * the labels flipped at random to another digit; precision and recall of the flagged set of confident learning, as
 * the data checklist runs it (labelErrorsCheck: 5-fold out-of-sample probabilities of the shipped model), beside the
 * simple baseline on the same probabilities: flag the examples whose given label has the lowest out-of-sample
 * probability, as many as confident learning flagged. Target: precision ≥ 0.7 at recall ≥ 0.6 for 10 % noise.
 * DATACHECK_BENCH_N picks fewer digits (default all).
 */
import { labelErrorsCheck, LABEL_MODEL, FOLDS } from '../src/datacheck/checks/label-errors.ts';
import { findLabelIssues, lowestGivenProbability } from '../src/datacheck/confident-learning.ts';
import type { DataTable } from '../src/datacheck/table.ts';
import { loadMnist, takeBalanced } from '../src/jobs/dataset.ts';
import { createRng, permutation } from '../src/jobs/rng.ts';

const RATES = [0.05, 0.1, 0.2];
const TARGET = { noise: 0.1, precision: 0.7, recall: 0.6 };

function prf(flagged: number[], truth: Set<number>) {
  const tp = flagged.filter((i) => truth.has(i)).length;
  const precision = flagged.length ? tp / flagged.length : 0;
  const recall = truth.size ? tp / truth.size : 0;
  return { flagged: flagged.length, truePositives: tp, precision: round(precision), recall: round(recall), f1: round(precision + recall ? (2 * precision * recall) / (precision + recall) : 0) };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

export default async function datacheckBench(): Promise<Record<string, unknown>> {
  const all = loadMnist();
  const n = Math.min(all.y.length, Number(process.env.DATACHECK_BENCH_N ?? all.y.length));
  const ds = takeBalanced(all, n);
  const rows: Array<Record<string, unknown>> = [];
  for (const rate of RATES) {
    // Exactly rate × n examples, chosen at random, each given a different digit at random.
    const rng = createRng(1000 + Math.round(rate * 100));
    const pick = permutation(n, rng).subarray(0, Math.round(rate * n));
    const y = Int32Array.from(ds.y);
    const truth = new Set<number>();
    for (const i of pick) {
      y[i] = (y[i]! + 1 + rng.int(9)) % 10;
      truth.add(i);
    }
    const t: DataTable = {
      source: 'mnist',
      kind: 'images',
      inputShape: [28, 28, 1],
      featureSize: 784,
      x: ds.x,
      y,
      classNames: ds.classNames,
      split: new Uint8Array(n),
      hasValidation: false,
      names: [],
      featureNames: [],
      notes: [],
    };
    const started = Date.now();
    const r = labelErrorsCheck(t, { seed: 1 });
    const seconds = (Date.now() - started) / 1000;
    const cl = prf(r.flagged, truth);
    // cleanlab's stricter filter on the same probabilities: also off the confident joint's diagonal.
    const both = prf(findLabelIssues(r.probs!, y, 10, 'both').issues.map((is) => r.checked[is.index]!), truth);
    const baseline = prf(lowestGivenProbability(r.probs!, y, 10, r.flagged.length).map((k) => r.checked[k]!), truth);
    const row = {
      noise: rate,
      flippedLabels: truth.size,
      confidentLearning: cl,
      confidentLearningBothFilter: both,
      baselineLowestGivenProbability: baseline,
      estimatedNoiseRate: round(r.cl!.estimatedNoiseRate),
      outOfSampleAccuracyOnGivenLabels: round(r.cl!.outOfSampleAccuracy),
      seconds,
    };
    rows.push(row);
    console.log(
      `noise ${rate * 100} %: confident learning flags ${cl.flagged} of ${truth.size} flipped: precision ${cl.precision}, recall ${cl.recall}; filter 'both' ${both.flagged} flagged, precision ${both.precision}, recall ${both.recall}; baseline (same count) precision ${baseline.precision}, recall ${baseline.recall} (${seconds.toFixed(1)} s)`,
    );
  }
  const at = rows.find((r) => r.noise === TARGET.noise)!.confidentLearning as { precision: number; recall: number };
  return {
    examples: n,
    model: { ...LABEL_MODEL, folds: FOLDS },
    target: TARGET,
    targetMet: at.precision >= TARGET.precision && at.recall >= TARGET.recall,
    results: rows,
  };
}
