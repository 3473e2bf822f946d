/**
 * unshuffled_data: a per-epoch periodic sawtooth in the step-level training loss: the data is seen in the same order
 * every epoch, so the loss follows the order (e.g. sorted by class) instead of falling evenly.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { DiagnoseContext } from '../../domain/context.ts';
import type { Curve, RunView } from '../signals/view.ts';
import { epochIndex, epochPhasePattern } from '../signals/epoch-phase.ts';

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts): the pattern's
 * autocorrelation one epoch later and the share of the detrended variance the per-epoch profile explains must both
 * reach these. `falseAlarms` is this rule's share of healthy tune runs flagged at these values.
 */
export const FIT = { minAutocorrelation: 0.382, minProfileStrength: 0.075, falseAlarms: 0 };
/** At least this many points per epoch (a shape within the epoch needs them) and epochs to see a per-epoch pattern. */
export const MIN_POINTS_PER_EPOCH = 8;
export const MIN_EPOCHS = 3;

/** Why the per-epoch pattern cannot be looked for; null when it can. */
function patternUnavailable(c: Curve | null): { title: string; needs: string } | null {
  if (!c || c.cadence !== 'step') return { title: 'No step-level training loss', needs: 'Log the training loss per step (with epoch numbers) to check for an unshuffled per-epoch pattern.' };
  const e = c.source.epochs;
  if (!e || !allFinite(e)) return { title: 'Step-level loss without epoch numbers', needs: 'Log the epoch with each step so the per-epoch pattern can be checked.' };
  if (!measure(c)) {
    return { title: 'Too few epochs or points per epoch to see a per-epoch pattern', needs: `Log the loss at least ${MIN_POINTS_PER_EPOCH} times per epoch over ${MIN_EPOCHS}+ epochs.` };
  }
  return null;
}

export interface EpochPattern {
  strength: number;
  autocorrelation: number;
  pointsPerEpoch: number;
  /** Whether the pattern is strong enough to be the data order's doing. */
  found: boolean;
}

const measured = new WeakMap<Curve, ReturnType<typeof epochPhasePattern>>();
function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}
/** The phase analysis of the curve's raw logged points (cached: several rules ask). */
function measure(c: Curve) {
  if (!measured.has(c)) {
    const s = c.source;
    measured.set(c, allFinite(s.values) && s.epochs ? epochPhasePattern(s.steps, s.epochs, s.values.map(c.scale.toBadness), MIN_EPOCHS, MIN_POINTS_PER_EPOCH) : null);
  }
  return measured.get(c)!;
}

/** The per-epoch sawtooth analysis of the step-level training loss; null when the curve cannot show one. */
export function findEpochPattern(c: Curve | null): EpochPattern | null {
  if (!c || patternUnavailable(c)) return null;
  const m = measure(c)!;
  const strength = m.strength || 0;
  const ac = m.autocorrelation || 0;
  return { strength, autocorrelation: ac, pointsPerEpoch: m.pointsPerEpoch, found: strength >= FIT.minProfileStrength && ac >= FIT.minAutocorrelation };
}

/**
 * Whether the data order explains a rising or jumping training loss: shuffling is off, or the step loss repeats a
 * per-epoch sawtooth. Then each batch's loss measures which classes it holds, not how well the model learns, so
 * rules reading the rise as a learning-rate or divergence problem defer to unshuffled_data.
 */
export function orderingExplainsLoss(view: RunView, context: DiagnoseContext): { shuffleOff: boolean; pattern: EpochPattern | null } | null {
  const pattern = findEpochPattern(view.trainLoss);
  const shuffleOff = context.config?.shuffle === false;
  return shuffleOff || pattern?.found ? { shuffleOff, pattern } : null;
}

function patternEvidence(p: EpochPattern): Record<string, unknown> {
  return { profileStrength: Number(p.strength.toFixed(3)), autocorrelation: Number(p.autocorrelation.toFixed(3)), pointsPerEpoch: p.pointsPerEpoch };
}

export const unshuffledDataRule: Rule = {
  id: 'unshuffled_data',
  area: 'training',
  check({ view, context }) {
    const c = view.trainLoss;
    const p = findEpochPattern(c);
    // One epoch of the pattern: the run's second epoch (the first is often partial or special).
    const band = (cv: Curve) => {
      const s = cv.source;
      if (!s.epochs) return [];
      const idx = epochIndex(s.epochs);
      const second = idx.findIndex((e) => e > idx[0]);
      if (second < 0) return [];
      let end = second;
      while (end + 1 < idx.length && idx[end + 1] === idx[second]) end++;
      return [{ series: cv.name, step: Math.round(s.steps[second]), toStep: Math.round(s.steps[end]), label: 'one epoch of the pattern', kind: 'band' as const }];
    };
    if (context.config?.shuffle === false) {
      const seen = p?.found ? ` and the step loss repeats the same shape every epoch (pattern explains ${Math.round(p.strength * 100)} % of the wiggle)` : '';
      return itemOf(
        this,
        'fail',
        `Shuffling is off in the training config${seen}`,
        'Shuffle the training data every epoch (shuffle=True / dataset.shuffle(buffer)); the batch loss follows the data order until then.',
        { shuffle: false, ...(p ? patternEvidence(p) : {}), sawtooth: p ? p.found : null },
        p?.found && c ? band(c) : [],
      );
    }
    const why = patternUnavailable(c);
    if (why || !p || !c) return unknownItem(this, why?.title ?? 'No step-level training loss', why?.needs ?? 'Log the training loss per step.');
    if (!p.found) return itemOf(this, 'pass', 'No per-epoch pattern in the step-level loss', '', patternEvidence(p));
    return itemOf(
      this,
      'warn',
      `The step-level loss repeats the same shape every epoch (pattern explains ${Math.round(p.strength * 100)} % of the wiggle)`,
      'The data is probably not shuffled (e.g. sorted by class or source): shuffle every epoch.',
      patternEvidence(p),
      band(c),
    );
  },
};
