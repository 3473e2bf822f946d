/**
 * unshuffled_data: a per-epoch periodic sawtooth in the step-level training loss: the data is seen in the same order
 * every epoch, so the loss follows the order (e.g. sorted by class) instead of falling evenly.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { autocorrelationAtLag, foldedProfileStrength } from '../signals/periodicity.ts';

/** Share of the detrended variance a per-epoch profile must explain… */
export const MIN_PROFILE_STRENGTH = 0.3;
/** …and the autocorrelation at a lag of one epoch. */
export const MIN_AUTOCORRELATION = 0.3;
/** At least this many points per epoch and epochs to see a per-epoch pattern. */
export const MIN_POINTS_PER_EPOCH = 4;
export const MIN_EPOCHS = 3;

export const unshuffledDataRule: Rule = {
  id: 'unshuffled_data',
  area: 'training',
  check({ view, context }) {
    if (context.config?.shuffle === false) {
      return itemOf(this, 'fail', 'Shuffling is off in the training config', 'Shuffle the training data every epoch (shuffle=True / dataset.shuffle(buffer)).', { shuffle: false });
    }
    const c = view.trainLoss;
    if (!c || c.cadence !== 'step') return unknownItem(this, 'No step-level training loss', 'Log the training loss per step (with epoch numbers) to check for an unshuffled per-epoch pattern.');
    const e = c.epoch;
    if (!e.every((x) => Number.isFinite(x))) return unknownItem(this, 'Step-level loss without epoch numbers', 'Log the epoch with each step so the per-epoch pattern can be checked.');
    const epochs = Math.floor(e[e.length - 1]) - Math.floor(e[0]) + 1;
    const period = Math.round(c.ts.length / Math.max(1, e[e.length - 1] - e[0]));
    if (epochs < MIN_EPOCHS || period < MIN_POINTS_PER_EPOCH || c.ts.length < MIN_EPOCHS * period) {
      return unknownItem(this, 'Too few epochs or points per epoch to see a per-epoch pattern', `Log the loss at least ${MIN_POINTS_PER_EPOCH} times per epoch over ${MIN_EPOCHS}+ epochs.`);
    }
    const { strength } = foldedProfileStrength(c.ty, period);
    const ac = autocorrelationAtLag(c.ty, period);
    if (!(strength >= MIN_PROFILE_STRENGTH && ac >= MIN_AUTOCORRELATION)) {
      return itemOf(this, 'pass', 'No per-epoch pattern in the step-level loss', '', { profileStrength: Number((strength || 0).toFixed(3)), autocorrelation: Number((ac || 0).toFixed(3)), pointsPerEpoch: period });
    }
    return itemOf(
      this,
      'warn',
      `The step-level loss repeats the same shape every epoch (pattern explains ${Math.round(strength * 100)} % of the wiggle)`,
      'The data is probably not shuffled (e.g. sorted by class or source): shuffle every epoch.',
      { profileStrength: Number(strength.toFixed(3)), autocorrelation: Number(ac.toFixed(3)), pointsPerEpoch: period },
      [{ series: c.name, step: Math.round(c.x[0]), toStep: Math.round(c.x[Math.min(c.x.length - 1, period)]), label: 'one epoch of the pattern', kind: 'band' }],
    );
  },
};
