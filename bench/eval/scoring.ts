/** Precision / recall / F1 per label, macro- and micro-F1, agreement and the false-alarm rate on healthy runs. Pure. */

export interface Case {
  file: string;
  truth: Set<string>;
  predicted: Set<string>;
}

export interface LabelScore {
  label: string;
  /** Runs whose truth holds the label. */
  support: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface Scores {
  cases: number;
  perLabel: LabelScore[];
  /** Mean F1 over labels that occur in the truth or the predictions (undefined F1 skipped). */
  macroF1: number;
  /** F1 of all (run, label) decisions pooled. */
  microF1: number;
  /** Share of (run, label) decisions over the whole label vocabulary that agree with the truth. */
  agreement: number;
  /** Share of the truth labels the predictor also gives. */
  labelRecall: number;
  /** Share of runs whose predicted label set equals the truth exactly. */
  exactMatch: number;
  exactCount: number;
  /** Share of truly healthy runs given any problem finding (null when there are none). */
  healthyFalseAlarmRate: number | null;
  healthyRuns: number;
}

export function score(cases: Case[], labels: readonly string[]): Scores {
  const perLabel: LabelScore[] = labels.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let support = 0;
    for (const c of cases) {
      const t = c.truth.has(label);
      const p = c.predicted.has(label);
      if (t) support++;
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    const precision = tp + fp > 0 ? tp / (tp + fp) : null;
    const recall = tp + fn > 0 ? tp / (tp + fn) : null;
    const f1 = tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : null;
    return { label, support, tp, fp, fn, precision, recall, f1 };
  });
  const f1s = perLabel.map((s) => s.f1).filter((f): f is number => f !== null);
  const sum = (k: 'tp' | 'fp' | 'fn') => perLabel.reduce((a, s) => a + s[k], 0);
  const [TP, FP, FN] = [sum('tp'), sum('fp'), sum('fn')];
  let agree = 0;
  let decisions = 0;
  let given = 0;
  let recalled = 0;
  let exact = 0;
  let healthy = 0;
  let alarms = 0;
  for (const c of cases) {
    let all = true;
    for (const label of labels) {
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
    if (c.truth.has('healthy')) {
      healthy++;
      if (!c.predicted.has('healthy')) alarms++;
    }
  }
  return {
    cases: cases.length,
    perLabel,
    macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0,
    microF1: TP + FP + FN > 0 ? (2 * TP) / (2 * TP + FP + FN) : 0,
    agreement: decisions ? agree / decisions : 0,
    labelRecall: given ? recalled / given : 0,
    exactMatch: cases.length ? exact / cases.length : 0,
    exactCount: exact,
    healthyFalseAlarmRate: healthy ? alarms / healthy : null,
    healthyRuns: healthy,
  };
}

