/** unnormalized_inputs: inputs on a raw scale (0–255 pixels, unscaled features) slow and destabilise training. */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { inputScale } from '../../data/dataset-checks.ts';
import { fmt } from './shared.ts';

/** Inputs reaching beyond this magnitude, or with a standard deviation above it, are unnormalised. */
export const FAIL_MAX_ABS = 20;
export const WARN_MAX_ABS = 5;
export const WARN_STD = 5;
/** A mean this many standard deviations from 0 is an uncentred input. */
export const WARN_MEAN_IN_STDS = 3;

export const unnormalizedInputsRule: Rule = {
  id: 'unnormalized_inputs',
  area: 'data',
  check({ context }) {
    const s = inputScale(context.dataset);
    if (!s) return unknownItem(this, 'Input statistics are not known', 'Provide dataset statistics (input min, max, mean, std) to check normalisation.');
    const evidence = { ...s };
    const n = (x: number | null) => (x === null ? '?' : fmt(x));
    if ((s.maxAbs !== null && s.maxAbs >= FAIL_MAX_ABS) || (s.std !== null && s.std >= FAIL_MAX_ABS)) {
      return itemOf(this, 'fail', `Inputs range up to ${n(s.maxAbs)} (std ${n(s.std)}): not normalised`, 'Scale inputs to about [0, 1] or standardise them (subtract the mean, divide by the std), computed on the training split.', evidence);
    }
    const uncentred = s.mean !== null && s.std !== null && s.std > 0 && Math.abs(s.mean) > WARN_MEAN_IN_STDS * s.std;
    if ((s.maxAbs !== null && s.maxAbs >= WARN_MAX_ABS) || (s.std !== null && s.std >= WARN_STD) || uncentred) {
      return itemOf(this, 'warn', uncentred ? `Inputs are far from centred (mean ${n(s.mean)}, std ${n(s.std)})` : `Inputs reach ${n(s.maxAbs)} (std ${n(s.std)})`, 'Standardise the inputs (zero mean, unit variance) using training-split statistics.', evidence);
    }
    return itemOf(this, 'pass', 'Inputs are on a normalised scale', '', evidence);
  },
};
