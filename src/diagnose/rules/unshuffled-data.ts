/**
 * unshuffled_data: a per-epoch periodic sawtooth in the step-level training loss: the data is seen in the same order
 * every epoch, so the loss follows the order (e.g. sorted by class) instead of falling evenly.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { DiagnoseContext } from '../../domain/context.ts';
import type { Curve, RunView } from '../signals/view.ts';
import { autocorrelationAtLag, foldedProfileStrength } from '../signals/periodicity.ts';

/** Share of the detrended variance a per-epoch profile must explain… */
export const MIN_PROFILE_STRENGTH = 0.3;
/** …and the autocorrelation at a lag of one epoch. */
export const MIN_AUTOCORRELATION = 0.3;
/** At least this many points per epoch and epochs to see a per-epoch pattern. */
export const MIN_POINTS_PER_EPOCH = 4;
export const MIN_EPOCHS = 3;

/** Why the per-epoch pattern cannot be looked for; null when it can. */
function patternUnavailable(c: Curve | null): { title: string; needs: string } | null {
  if (!c || c.cadence !== 'step') return { title: 'No step-level training loss', needs: 'Log the training loss per step (with epoch numbers) to check for an unshuffled per-epoch pattern.' };
  const e = c.epoch;
  if (!e.every((x) => Number.isFinite(x))) return { title: 'Step-level loss without epoch numbers', needs: 'Log the epoch with each step so the per-epoch pattern can be checked.' };
  const epochs = Math.floor(e[e.length - 1]) - Math.floor(e[0]) + 1;
  const period = Math.round(c.ts.length / Math.max(1, e[e.length - 1] - e[0]));
  if (epochs < MIN_EPOCHS || period < MIN_POINTS_PER_EPOCH || c.ts.length < MIN_EPOCHS * period) {
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

/** The per-epoch sawtooth analysis of the step-level training loss; null when the curve cannot show one. */
export function findEpochPattern(c: Curve | null): EpochPattern | null {
  if (!c || patternUnavailable(c)) return null;
  const e = c.epoch;
  const period = Math.round(c.ts.length / Math.max(1, e[e.length - 1] - e[0]));
  const strength = foldedProfileStrength(c.ty, period).strength || 0;
  const ac = autocorrelationAtLag(c.ty, period) || 0;
  return { strength, autocorrelation: ac, pointsPerEpoch: period, found: strength >= MIN_PROFILE_STRENGTH && ac >= MIN_AUTOCORRELATION };
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
    const band = (cv: Curve, period: number) => [{ series: cv.name, step: Math.round(cv.x[0]), toStep: Math.round(cv.x[Math.min(cv.x.length - 1, period)]), label: 'one epoch of the pattern', kind: 'band' as const }];
    if (context.config?.shuffle === false) {
      const seen = p?.found ? ` and the step loss repeats the same shape every epoch (pattern explains ${Math.round(p.strength * 100)} % of the wiggle)` : '';
      return itemOf(
        this,
        'fail',
        `Shuffling is off in the training config${seen}`,
        'Shuffle the training data every epoch (shuffle=True / dataset.shuffle(buffer)); the batch loss follows the data order until then.',
        { shuffle: false, ...(p ? patternEvidence(p) : {}), sawtooth: p ? p.found : null },
        p?.found && c ? band(c, p.pointsPerEpoch) : [],
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
      band(c, p.pointsPerEpoch),
    );
  },
};
