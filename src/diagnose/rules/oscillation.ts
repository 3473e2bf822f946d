/**
 * oscillation: the optimiser bounces across the valley instead of descending it (a rate too high for the batch size,
 * momentum near 1). Two readings, in units of the run's own moves:
 * - with validation: the validation loss keeps changing direction by large moves **and** the training loss, taken per
 *   epoch, does too. A small validation set makes the validation jump while training descends smoothly: that is
 *   noisy_validation, not the optimiser;
 * - on the training loss alone (with or without validation): the per-epoch loss repeatedly jumps up by a large factor
 *   and comes back.
 * A steady climb is divergence, not oscillation.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { Curve } from '../signals/view.ts';
import { judgedValidation } from './overfitting.ts';

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is
 * this rule's share of healthy tune runs flagged at these values.
 * - valMove / trainMove: a move smaller than this (log, ≈ relative) is not counted;
 * - valTurnShare: the validation's direction changes between counted moves, per evaluation;
 * - trainRiseShare: the per-epoch training loss goes up (by a counted move) from one epoch to the next in at least this
 *   share of the epochs. A descending optimiser's epoch means hardly ever rise; one that bounces rises again and again,
 *   in runs of several epochs too (0.21 → 0.22 → 0.23 → 0.24), which a count of direction changes misses (it was a
 *   turn share of 0.324; set to 0.2 by hand on the tune split, oscillation F1 63 → 67, no more healthy runs flagged);
 * - largeUp / upShare: without validation, an epoch-over-epoch rise of at least this (log) undone within two epochs,
 *   at this share of the epochs.
 */
export const FIT = { valMove: 0.08, valTurnShare: 0.401, trainMove: 0.0472, trainRiseShare: 0.2, largeUp: 1.78, upShare: 0.2, falseAlarms: 0.01 };
/**
 * Oscillating needs at least this many direction changes, and this many epochs to count them in. Twelve: a series of
 * pure noise changes direction two times in three, so in fewer evaluations a count of turns cannot tell an optimiser
 * that bounces from any jitter (it was 6; at 12 the move bar could come down from 0.157 to 0.08, by hand, with no
 * more healthy tune runs flagged: oscillation F1 on the tune split 57 → 65, on the test split 43 → 63).
 */
export const MIN_TURNS = 3;
export const MIN_EPOCHS = 12;
/** Without epoch numbers, step-level curves are cut into this many blocks. */
export const BLOCKS = 20;
/** A rise must be undone within this many epochs to count as a swing. */
export const SWING_WITHIN = 2;

/** The curve averaged per whole epoch (or per block), on the badness scale, with the step each block ends at. */
export function perEpoch(c: Curve): { v: number[]; step: number[] } {
  const v: number[] = [];
  const step: number[] = [];
  const epochsKnown = c.epoch.every((e) => Number.isFinite(e));
  if (!c.smoothed) return { v: Array.from(c.ty), step: Array.from(c.x) };
  // Fractional epochs count either the epochs begun (Lightning's index: 0, 0, …, 1) or, as TensorFlow.js jobs and
  // trainer_state do, the share done when the step ended (0.25, 0.5, 0.75, 1.0, 1.25…): there the step that ends
  // epoch k reads exactly k and belongs to epoch k − 1. A first step after 0 tells the second kind.
  const doneShare = epochsKnown && c.epoch.length > 0 && c.epoch[0]! > 0 && c.epoch.some((e) => e % 1 !== 0);
  const epochOf = (e: number) => (doneShare ? Math.ceil(e - 1e-9) - 1 : Math.floor(e + 1e-9));
  let key = NaN;
  let sum = 0;
  let count = 0;
  let last = 0;
  const flush = () => {
    if (count) {
      v.push(sum / count);
      step.push(last);
    }
    sum = 0;
    count = 0;
  };
  for (let i = 0; i < c.ty.length; i++) {
    const k = epochsKnown ? epochOf(c.epoch[i]!) : Math.floor((i * BLOCKS) / c.ty.length);
    if (k !== key) {
      flush();
      key = k;
    }
    sum += c.ty[i];
    count++;
    last = c.x[i];
  }
  flush();
  return { v, step };
}

/** Direction changes between consecutive moves of at least `minMove`, and the indices where they happen. */
export function turns(v: readonly number[], minMove: number): { count: number; at: number[] } {
  let prev = 0;
  const at: number[] = [];
  for (let i = 1; i < v.length; i++) {
    const d = v[i] - v[i - 1];
    if (Math.abs(d) < minMove) continue;
    const sign = Math.sign(d);
    if (prev !== 0 && sign !== prev) at.push(i - 1);
    prev = sign;
  }
  return { count: at.length, at };
}

/** Epoch-over-epoch rises of at least `minMove`. */
function rises(v: readonly number[], minMove: number): number {
  let n = 0;
  for (let i = 1; i < v.length; i++) if (v[i] - v[i - 1] >= minMove) n++;
  return n;
}

/** Large rises undone within SWING_WITHIN epochs. */
function swings(v: readonly number[], threshold: number): number[] {
  const ups: number[] = [];
  for (let i = 1; i < v.length; i++) {
    if (v[i] - v[i - 1] < threshold) continue;
    for (let j = i + 1; j <= Math.min(v.length - 1, i + SWING_WITHIN); j++) {
      if (v[i] - v[j] >= threshold) {
        ups.push(i);
        break;
      }
    }
  }
  return ups;
}

export interface OscillationFinding {
  kind: 'both' | 'train';
  valTurns: number;
  trainTurns: number;
  /** Epochs whose training loss went up by a counted move (the reading with validation). */
  trainRises: number;
  evaluations: number;
  epochs: number;
  at: number[];
  curve: Curve;
  steps: number[];
}

export function findOscillation(c: Curve | null, val: Curve | null): OscillationFinding | null {
  if (!c) return null;
  const { v, step } = perEpoch(c);
  if (v.length < MIN_EPOCHS) return null;
  const scale = (curve: Curve, m: number) => (curve.logScale ? m : m * curve.range);
  if (val && val.ty.length >= MIN_EPOCHS) {
    const vt = turns(Array.from(val.ty), scale(val, FIT.valMove));
    const tt = turns(v, scale(c, FIT.trainMove));
    const up = rises(v, scale(c, FIT.trainMove));
    if (vt.count >= Math.max(MIN_TURNS, FIT.valTurnShare * (val.ty.length - 2)) && up >= Math.max(MIN_TURNS, FIT.trainRiseShare * (v.length - 1))) {
      return { kind: 'both', valTurns: vt.count, trainTurns: tt.count, trainRises: up, evaluations: val.ty.length, epochs: v.length, at: vt.at, curve: val, steps: Array.from(val.x) };
    }
  }
  const ups = swings(v, scale(c, FIT.largeUp));
  if (ups.length >= Math.max(2, Math.ceil(FIT.upShare * (v.length - 1)))) return { kind: 'train', valTurns: 0, trainTurns: ups.length, trainRises: ups.length, evaluations: 0, epochs: v.length, at: ups, curve: c, steps: step };
  return null;
}

export const oscillationRule: Rule = {
  id: 'oscillation',
  area: 'training',
  check({ view }) {
    const c = view.trainLoss;
    if (!c) return unknownItem(this, 'No training loss to check for oscillation', 'Log the training loss per epoch or step.');
    const { v } = perEpoch(c);
    if (v.length < MIN_EPOCHS) return unknownItem(this, `Only ${v.length} epochs of training loss`, `Log at least ${MIN_EPOCHS} epochs to see oscillation.`);
    const { val } = judgedValidation(view);
    const f = findOscillation(c, val);
    if (!f) return itemOf(this, 'pass', `${c.name} descends without bouncing`, '', { series: c.name, epochs: v.length });
    // One band over the stretch that bounces, with the count: ten labelled dots ("turns", "turns", …) overlapped into
    // an unreadable smear on the chart and covered only the first ten of 51 turns.
    const stepAt = (i: number) => Math.round(f.steps[i] ?? f.steps[f.steps.length - 1]!);
    const first = f.at[0]!;
    const last = f.at[f.at.length - 1]!;
    const count = f.kind === 'both' ? `${f.valTurns} direction changes` : `${f.trainTurns} swings`;
    const marks = f.at.length ? [{ series: f.curve.name, step: stepAt(first), toStep: Math.max(stepAt(last), stepAt(first) + 1), label: `bounces: ${count}`, kind: 'band' as const }] : [];
    const title =
      f.kind === 'both'
        ? `${f.curve.name} changes direction ${f.valTurns} times in ${f.evaluations} evaluations, and ${c.name} went up in ${f.trainRises} of ${f.epochs} epochs: the optimiser bounces`
        : `${c.name} bounces: ${f.trainTurns} large up-and-down swings in ${f.epochs} epochs`;
    return itemOf(
      this,
      'warn',
      title,
      'The loss bounces instead of descending: lower the learning rate (or decay it), increase the batch size, lower the momentum, or clip gradients.',
      { series: f.curve.name, trainSeries: c.name, valTurns: f.valTurns, trainTurns: f.trainTurns, trainRises: f.trainRises, evaluations: f.evaluations, epochs: f.epochs },
      marks,
    );
  },
};
