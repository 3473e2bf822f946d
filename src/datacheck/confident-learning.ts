/**
 * Likely label errors by confident learning (Northcutt, Jiang & Chuang 2021; cleanlab's find_label_issues with
 * filter_by='prune_by_noise_rate'), from out-of-sample predicted probabilities. Pure.
 *
 * 1. Per-class thresholds t_j: the mean probability of class j over the examples labelled j (their self-confidence).
 * 2. The confident joint C[given][true]: an example counts towards true class j when p_j ≥ t_j (the most probable
 *    such j when several are); examples above no threshold count nowhere.
 * 3. Calibrated so each row sums to the number of examples given that label; its off-diagonal estimates how many
 *    examples labelled i are really j.
 * 4. Prune by noise rate: for each (i, j ≠ i), the round(C[i][j]) examples labelled i with the largest margin
 *    p_j − p_i are flagged; an example whose predicted class is its given label is never flagged.
 * 5. Flagged examples are ranked by normalised margin p_given − max_{j≠given} p_j, most suspicious first; the
 *    suggested label is that arg max.
 */

export interface LabelIssue {
  index: number;
  given: number;
  suggested: number;
  /** Out-of-sample probability of the given label. */
  givenProb: number;
  /** … and of the suggested one. */
  suggestedProb: number;
  /** p_given − p_suggested, in [−1, 1]: the more negative, the more suspicious. */
  margin: number;
}

export interface ConfidentLearningResult {
  thresholds: number[];
  /** The calibrated confident joint, counts: [given][true]. */
  confidentJoint: number[][];
  /** Estimated share of examples whose given label is wrong (off-diagonal mass of the calibrated joint). */
  estimatedNoiseRate: number;
  /** Flagged examples, most suspicious first. */
  issues: LabelIssue[];
  /** Share of examples whose arg max probability is their given label. */
  outOfSampleAccuracy: number;
}

/**
 * cleanlab's filters: 'prune_by_noise_rate' (its default, steps 1–4 above) or 'both', which also requires the example
 * to sit off the diagonal of the confident joint (its confident class is not its given label): fewer, surer flags.
 */
export type LabelIssueFilter = 'prune_by_noise_rate' | 'both';

export function findLabelIssues(probs: Float32Array, y: Int32Array, k: number, filter: LabelIssueFilter = 'prune_by_noise_rate'): ConfidentLearningResult {
  const n = y.length;
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = y[i]!;
    sum[c]! += probs[i * k + c]!;
    count[c]!++;
  }
  // A class nobody is labelled with has no threshold: nothing can be confidently it.
  const thresholds = Array.from({ length: k }, (_, c) => (count[c]! > 0 ? sum[c]! / count[c]! : Infinity));

  const raw = Array.from({ length: k }, () => new Float64Array(k));
  const argmax = new Int32Array(n);
  const confident = new Int32Array(n);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestP = -Infinity;
    let top = 0;
    for (let j = 0; j < k; j++) {
      const p = probs[i * k + j]!;
      if (p > probs[i * k + top]!) top = j;
      // A small tolerance, as cleanlab: a probability equal to the threshold in float arithmetic counts.
      if (p >= thresholds[j]! - 1e-6 && p > bestP) {
        best = j;
        bestP = p;
      }
    }
    argmax[i] = top;
    confident[i] = best;
    if (top === y[i]) correct++;
    if (best >= 0) raw[y[i]!]![best]!++;
  }
  // Calibrate: each row sums to that label's count.
  const joint = raw.map((row, c) => {
    const rs = row.reduce((a, b) => a + b, 0);
    return Array.from(row, (v) => (rs > 0 ? (v / rs) * count[c]! : 0));
  });
  let off = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) off += joint[i]![j]!;

  // Prune by noise rate.
  const flagged = new Uint8Array(n);
  const byGiven: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) byGiven[y[i]!]!.push(i);
  for (let g = 0; g < k; g++) {
    const members = byGiven[g]!;
    if (members.length === 0) continue;
    for (let t = 0; t < k; t++) {
      if (t === g) continue;
      const num = Math.round(joint[g]![t]!);
      if (num <= 0) continue;
      const ranked = members.slice().sort((a, b) => probs[b * k + t]! - probs[b * k + g]! - (probs[a * k + t]! - probs[a * k + g]!));
      // Never more than leaves one example of the class unflagged.
      const take = Math.min(num, members.length - 1);
      for (let r = 0; r < take; r++) flagged[ranked[r]!] = 1;
    }
  }
  const issues: LabelIssue[] = [];
  for (let i = 0; i < n; i++) {
    if (!flagged[i] || argmax[i] === y[i]) continue;
    if (filter === 'both' && (confident[i] < 0 || confident[i] === y[i])) continue;
    const g = y[i]!;
    let s = -1;
    for (let j = 0; j < k; j++) if (j !== g && (s < 0 || probs[i * k + j]! > probs[i * k + s]!)) s = j;
    const givenProb = probs[i * k + g]!;
    const suggestedProb = probs[i * k + s]!;
    issues.push({ index: i, given: g, suggested: s, givenProb, suggestedProb, margin: givenProb - suggestedProb });
  }
  issues.sort((a, b) => a.margin - b.margin || a.index - b.index);
  return { thresholds, confidentJoint: joint, estimatedNoiseRate: n ? off / n : 0, issues, outOfSampleAccuracy: n ? correct / n : 0 };
}

/**
 * The simple baseline people use: the `count` examples whose given label has the lowest out-of-sample probability.
 */
export function lowestGivenProbability(probs: Float32Array, y: Int32Array, k: number, count: number): number[] {
  const idx = Array.from({ length: y.length }, (_, i) => i);
  idx.sort((a, b) => probs[a * k + y[a]!]! - probs[b * k + y[b]!]! || a - b);
  return idx.slice(0, count);
}
