/**
 * stuck_at_chance: the loss sits at ln K (uniform prediction over K classes) or the accuracy at 1/K / the majority
 * rate. With K known this is a fail; without it, exact-looking chance levels (ln 2…ln 20, the 0.25 MSE of predicting
 * 0.5 for 0/1 targets, 1/K accuracy) on a stalled curve are a warning.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { Curve } from '../signals/view.ts';
import { findStall } from './plateau-analysis.ts';
import { fmt } from './shared.ts';

/** Relative distance to ln K that counts as "at chance" when K is known… */
export const KNOWN_LOSS_TOLERANCE = 0.05;
/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - inferredLossTolerance: …and when it is only inferred (tight, since many values are near some ln K).
 */
/**
 * A curve at chance has stopped moving: an improvement counts only beyond this many noise units (not fitted with
 * plateau's: at 1σ, the jitter of a curve sitting at chance reads as progress).
 */
export const STALL_SIGMAS = 3;
export const FIT = { inferredLossTolerance: 0.0035, inferredAccuracyTolerance: 0.0035, minStallShare: 0.9, falseAlarms: 0.0099 };
/** Absolute accuracy distance from the chance rate. */
export const ACCURACY_TOLERANCE = 0.02;
/**
 * Without K, an inferred chance level must agree with the other curve kind: a loss at ln k with a logged accuracy at
 * most 1/k + ABOVE_CHANCE_ACCURACY, an accuracy at 1/k with a logged loss within KNOWN_LOSS_TOLERANCE of ln k. Between
 * them the ln k and 1/k windows cover a good share of the levels a stalled curve can rest at, and a model that learned
 * something often rests at one by coincidence (a 10-class digits model at 0.203 ≈ 1/5, val_loss 1.94 ≈ ln 7). Checked
 * on the corpus' tune split: stuck_at_chance false positives 22 → 7 with the same 110 found, underfitting F1 60 → 64
 * (those runs had been told as stuck), false alarms on healthy runs unchanged.
 */
/**
 * A loss within KNOWN_LOSS_TOLERANCE of ln k and an accuracy within this of 1/k, both at the end, read as chance over k
 * classes without K and without a stall: the corpus definition's tolerance (0.03). A model that never left chance,
 * even one creeping at a rate too low, ends there on both curves; a model that learnt something does not, on both.
 * Tune split: stuck_at_chance found 111 → 124, underfitting false positives 15 → 10 (those runs were at chance),
 * healthy false alarms unchanged.
 */
export const AGREEING_ACCURACY_TOLERANCE = 0.03;
/** Largest K tried when inferring: beyond it ln K values are closer together than the tolerance. */
export const MAX_INFERRED_K = 20;
/** An accuracy this far above chance means the model is not at chance, whatever the loss says. */
export const ABOVE_CHANCE_ACCURACY = 0.1;

/** An accuracy frozen from the start: at least this many evaluations, all one value (within rounding), below this. */
export const FROZEN_MIN_EVALS = 10;
export const FROZEN_BELOW = 0.95;
/** Values this close are one value (a log rounds to 4 decimals). */
const SAME_VALUE = 1e-4;

/**
 * The value an accuracy held at every logged evaluation from its second on (the first epoch's mean still holds the
 * batches before the model settled: 0.5339, then 0.5885 for 199 epochs), or null when it ever moved.
 */
export function frozenFromStart(c: Curve): number | null {
  const v = c.source.values;
  if (v.length < FROZEN_MIN_EVALS + 1) return null;
  const held = v[1]!;
  if (!Number.isFinite(held) || held >= FROZEN_BELOW) return null;
  for (let i = 2; i < v.length; i++) if (!(Math.abs(v[i]! - held) <= SAME_VALUE)) return null;
  return held;
}

interface Hit {
  /** The whole title, when the route says it its own way. */
  title?: string;
  curve: Curve;
  level: number;
  chance: number;
  what: string;
}

/** How far a loss level is from ln k, relative to ln k (the chance loss of a uniform guess over k classes). */
function offLnK(level: number, k: number): number {
  return Math.abs(level - Math.log(k)) / Math.log(k);
}

function endLevel(c: Curve): number {
  return c.s[c.s.length - 1];
}

export const stuckAtChanceRule: Rule = {
  id: 'stuck_at_chance',
  area: 'convergence',
  check({ view, context }) {
    const K = context.classes;
    const counts = context.dataset?.classCounts;
    const losses = [view.trainLoss, view.valLoss].filter((c): c is Curve => !!c && c.s.length >= 5);
    const accs = [view.trainMetric, view.valMetric].filter((c): c is Curve => !!c && c.key === 'accuracy' && c.s.length >= 5);
    // Its own bar for how long the curve sat at chance: sharing plateau's let the fit switch both off together.
    const stalled = (c: Curve) => findStall(c, FIT.minStallShare, STALL_SIGMAS) !== null;
    let majority = NaN;
    if (counts) {
      const v = Object.values(counts);
      const total = v.reduce((a, b) => a + b, 0);
      if (total > 0) majority = Math.max(...v) / total;
    }
    const hits: Hit[] = [];
    if (K && K >= 2) {
      for (const c of losses) {
        const l = endLevel(c);
        if (offLnK(l, K) <= KNOWN_LOSS_TOLERANCE && stalled(c)) hits.push({ curve: c, level: l, chance: Math.log(K), what: `ln ${K}` });
      }
      for (const c of accs) {
        const a = endLevel(c);
        const chance = Number.isFinite(majority) ? Math.max(1 / K, majority) : 1 / K;
        if (a <= chance + ACCURACY_TOLERANCE && stalled(c)) hits.push({ curve: c, level: a, chance, what: Number.isFinite(majority) ? 'the majority-class rate' : `1/${K}` });
      }
    } else {
      for (const c of losses) {
        const l = endLevel(c);
        if (!stalled(c)) continue;
        for (let k = 2; k <= MAX_INFERRED_K; k++) {
          if (offLnK(l, k) > FIT.inferredLossTolerance) continue;
          // Uniform over k classes scores 1/k: a logged accuracy well above it says the level is a coincidence.
          if (accs.length && Math.max(...accs.map(endLevel)) > 1 / k + ABOVE_CHANCE_ACCURACY) continue;
          hits.push({ curve: c, level: l, chance: Math.log(k), what: `ln ${k} (uniform over ${k} classes)` });
        }
        if (Math.abs(l - 0.25) <= FIT.inferredLossTolerance * 0.25) hits.push({ curve: c, level: l, chance: 0.25, what: '0.25 (MSE of always predicting 0.5 for 0/1 targets)' });
      }
      for (const c of accs) {
        const a = endLevel(c);
        if (!stalled(c)) continue;
        for (let k = 2; k <= 10; k++) {
          if (Math.abs(a - 1 / k) > FIT.inferredAccuracyTolerance) continue;
          // …and a constant prediction over k classes has a loss of ln k: a logged loss elsewhere says 1/k is a coincidence.
          if (losses.length && !losses.some((x) => offLnK(endLevel(x), k) <= KNOWN_LOSS_TOLERANCE)) continue;
          hits.push({ curve: c, level: a, chance: 1 / k, what: `1/${k}` });
        }
      }
    }
    // Two curves that agree on one k are the evidence the exact-looking level alone is not: a loss within
    // KNOWN_LOSS_TOLERANCE of ln k and an accuracy within AGREEING_ACCURACY_TOLERANCE of 1/k, as if K were given.
    // Of several k that agree (2.28 is within 5 % of ln 9 and of ln 10), the one whose ln k the loss is closest to.
    if (hits.length === 0 && !K) {
      let best: { hit: Hit; off: number } | null = null;
      for (let k = 2; k <= MAX_INFERRED_K; k++) {
        const l = losses.find((c) => offLnK(endLevel(c), k) <= KNOWN_LOSS_TOLERANCE);
        const a = accs.find((c) => Math.abs(endLevel(c) - 1 / k) <= AGREEING_ACCURACY_TOLERANCE);
        if (!l || !a) continue;
        const off = offLnK(endLevel(l), k);
        if (!best || off < best.off) best = { off, hit: { curve: l, level: endLevel(l), chance: Math.log(k), what: `ln ${k}, with ${a.name} at ${fmt(endLevel(a))} ≈ 1/${k}` } };
      }
      if (best) hits.push(best.hit);
    }
    // Without a chance level to compare with, a training accuracy that never moved from its first evaluations is one: the
    // predictions never changed, so the model answers the same for every input (0.5885 for 200 epochs is the majority
    // class's share). Not for an accuracy near 1, which can legitimately rest at its top.
    if (hits.length === 0 && !K) {
      // The training accuracy only: a validation set of 30 examples can hold one score for 200 epochs while the model
      // learns (iris at 0.9), a training accuracy over every batch of an epoch cannot.
      for (const c of accs.filter((x) => x.split === 'train')) {
        const f = frozenFromStart(c);
        if (f === null) continue;
        const n = c.source.values.length - 1;
        const at = c.source.epochs && Number.isFinite(c.source.epochs[1]) ? `epoch ${c.source.epochs[1]}` : `step ${c.source.steps[1]}`;
        const title = `${c.name} held exactly ${f} from ${at} on (${n} evaluations): every input gets the same answer`;
        hits.push({ title, curve: c, level: f, chance: f, what: 'the value it held from its second evaluation on' });
      }
    }
    // A model whose accuracy is well above chance is not at chance, whatever its loss level.
    const bestAcc = Math.max(-Infinity, ...accs.map(endLevel));
    const chanceAcc = K ? 1 / K : 0.5;
    if (hits.length && bestAcc > chanceAcc + ABOVE_CHANCE_ACCURACY && Number.isFinite(bestAcc) && hits.every((h) => h.curve.key === 'loss')) hits.length = 0;
    if (hits.length === 0) {
      if (!K) {
        return unknownItem(this, 'No chance level found in the curves; the class count is not known', 'Give the class count K (CLI --classes, API `classes`) to check the loss against ln K and the accuracy against 1/K.');
      }
      return itemOf(this, 'pass', `Not at chance level for ${K} classes`, '', { classes: K, chanceLoss: Number(Math.log(K).toFixed(4)) });
    }
    const h = hits[0];
    return itemOf(
      this,
      K ? 'fail' : 'warn',
      h.title ?? `${h.curve.name} is stuck at ${fmt(h.level)} ≈ ${h.what}: the model predicts no better than chance`,
      'The model outputs a constant: check that labels match inputs (shuffled together), the output layer matches the loss (softmax + cross-entropy, logits flag), the learning rate (too high kills units, too low never moves) and the input normalisation.',
      { series: h.curve.name, level: Number(h.level.toPrecision(4)), chance: Number(h.chance.toPrecision(4)), chanceIs: h.what, classesKnown: !!K },
      [{ series: h.curve.name, step: Math.round(h.curve.x[h.curve.x.length - 1]), label: h.title ? 'one answer for every input' : 'chance level', kind: 'point', value: Number(h.level.toPrecision(4)) }],
    );
  },
};
