/**
 * noisy_validation: the validation curve jumps from evaluation to evaluation by much more than its trend moves:
 * single-epoch readings cannot be trusted for model selection.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { judgedValidation } from './overfitting.ts';
import { levels } from './shared.ts';

/** Evaluation-to-evaluation jitter (robust σ on the log scale, ≈ relative): warn above this… */
export const WARN_LOG_NOISE = 0.08;
/** …fail above this. */
export const FAIL_LOG_NOISE = 0.15;
/** On a linear scale, jitter as a share of the curve's range. */
export const WARN_RANGE_NOISE = 0.1;
export const MIN_EVALS = 5;
/** Below this many evaluations the noise estimate rests on a handful of differences: at most a warning. */
export const MIN_EVALS_FOR_FAIL = 8;

export const noisyValidationRule: Rule = {
  id: 'noisy_validation',
  area: 'generalization',
  check({ view }) {
    const { val } = judgedValidation(view);
    if (!val) return unknownItem(this, 'No validation curve', 'Log val_loss (or a validation metric) each epoch to judge its noise.');
    if (val.ty.length < MIN_EVALS) return unknownItem(this, `Only ${val.ty.length} validation points`, `Evaluate at least ${MIN_EVALS} times to judge the noise.`);
    const noise = val.noise;
    const lv = levels(val);
    const relative = val.logScale ? noise : noise / val.range;
    const warnAt = val.logScale ? WARN_LOG_NOISE : WARN_RANGE_NOISE;
    const failAt = val.logScale ? FAIL_LOG_NOISE : 2 * WARN_RANGE_NOISE;
    const evidence = { series: val.name, jitter: Number(relative.toFixed(3)), jitterIs: val.logScale ? 'relative (robust σ of log changes)' : 'share of range', progress: Number(lv.progress.toFixed(3)) };
    if (!(relative >= warnAt)) return itemOf(this, 'pass', `${val.name} moves smoothly (jitter ${val.logScale ? `±${Math.round(relative * 100)} %` : relative.toFixed(2)})`, '', evidence);
    return itemOf(
      this,
      relative >= failAt && val.ty.length >= MIN_EVALS_FOR_FAIL ? 'fail' : 'warn',
      `${val.name} jumps by about ±${val.logScale ? `${Math.round(relative * 100)} %` : `${Math.round(relative * 100)} % of its range`} between evaluations`,
      'Use a larger validation set (or evaluate on more batches), smooth the learning rate (lower it or decay it), and select checkpoints on a moving average.',
      evidence,
      [],
    );
  },
};
