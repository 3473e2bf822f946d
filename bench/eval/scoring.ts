/** Precision / recall / F1 per label and agreement, for the engine and each baseline. Pure. */
import { SCORED_LABELS, type Label } from './labels.ts';

export interface Case {
  file: string;
  truth: Set<string>;
  predicted: Set<Label>;
}

export interface LabelScore {
  label: Label;
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface Scores {
  perLabel: LabelScore[];
  /** Mean F1 over labels that occur in the truth or the predictions (undefined F1 skipped). */
  macroF1: number;
  /** Share of (log, label) decisions over the whole label vocabulary that agree with the human labels. */
  agreement: number;
  /** Share of the human-given labels the predictor also gives. */
  labelRecall: number;
  /** Share of logs whose predicted label set equals the human one exactly. */
  exactMatch: number;
}

export function score(cases: Case[]): Scores {
  const perLabel: LabelScore[] = SCORED_LABELS.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const c of cases) {
      const t = c.truth.has(label);
      const p = c.predicted.has(label);
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    const precision = tp + fp > 0 ? tp / (tp + fp) : null;
    const recall = tp + fn > 0 ? tp / (tp + fn) : null;
    const f1 = tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : null;
    return { label, tp, fp, fn, precision, recall, f1 };
  });
  const f1s = perLabel.map((s) => s.f1).filter((f): f is number => f !== null);
  let agree = 0;
  let decisions = 0;
  let given = 0;
  let recalled = 0;
  let exact = 0;
  for (const c of cases) {
    let all = true;
    for (const label of SCORED_LABELS) {
      decisions++;
      const same = c.truth.has(label) === c.predicted.has(label);
      if (same) agree++;
      else all = false;
      if (c.truth.has(label)) {
        given++;
        if (c.predicted.has(label)) recalled++;
      }
    }
    if (all) exact++;
  }
  return {
    perLabel,
    macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0,
    agreement: decisions ? agree / decisions : 0,
    labelRecall: given ? recalled / given : 0,
    exactMatch: cases.length ? exact / cases.length : 0,
  };
}
