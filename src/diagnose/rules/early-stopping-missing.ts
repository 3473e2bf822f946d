/**
 * early_stopping_missing: the best validation came in the first part of the run and nothing stopped it; the rest was
 * spent without getting better. When the validation also turned up, overfitting tells that story (and this item is
 * folded into it, src/diagnose/story.ts); both read the same early-stopping plan.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { findOverfitting, judgedValidation, MIN_EVALS } from './overfitting.ts';
import { earlyStoppingPlan, planBand, planText } from './early-stopping-plan.ts';
import { fmt } from './shared.ts';

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - minSavedShare: The plan must have saved at least this share of the evaluations…
 * - bestBeforeShare: …and the best evaluation lies in the first part of the run.
 * - minBestGain, bestGainSigmas: …and that best is a real one: below the first evaluation by this much on the judging
 *   scale (log: ≈ 5 %) and by this many of the curve's noise σ. A run that never improved (stuck at chance, a rate
 *   too high from the start) has no best worth stopping at; its own item tells what is wrong.
 */
export const FIT = { minSavedShare: 0.6, bestBeforeShare: 0.6, minBestGain: 0.108, bestGainSigmas: 11, falseAlarms: 0.005 };

export const earlyStoppingMissingRule: Rule = {
  id: 'early_stopping_missing',
  area: 'training',
  check({ view, context }) {
    if (context.config?.earlyStopping === true) return itemOf(this, 'pass', 'Early stopping is configured', '', { earlyStopping: true });
    const { val } = judgedValidation(view);
    if (!val) return unknownItem(this, 'No validation curve to judge early stopping', 'Log val_loss (or a validation metric) each epoch.');
    if (val.ts.length < MIN_EVALS) return unknownItem(this, `Too few validation points to judge early stopping (${val.name} has ${val.ts.length}, needs ${MIN_EVALS})`, `Evaluate on validation at least ${MIN_EVALS} times (each epoch).`);
    const n = val.ts.length;
    const p = earlyStoppingPlan(val);
    const bestShare = p.bestIndex / (n - 1);
    // When validation turned up, overfitting tells this story with the same plan: say the same here (it is folded
    // into overfitting), never "early stopping would change little" beside "would have saved 37 %".
    const withOverfitting = p.stopIndex !== null && findOverfitting(view) !== null;
    if (!withOverfitting) {
      if (p.stopIndex === null || p.savedShare < FIT.minSavedShare || bestShare > FIT.bestBeforeShare) {
        return itemOf(this, 'pass', `Best ${val.name} late enough in the run that early stopping would change little`, '', { bestIndexShare: Number(bestShare.toFixed(2)) });
      }
      const gain = val.ty[0]! - val.ty[p.bestIndex]!;
      const neededGain = Math.max(val.logScale ? FIT.minBestGain : FIT.minBestGain * val.range, FIT.bestGainSigmas * val.noise);
      if (!(gain >= neededGain)) {
        // Said with the numbers: "never improved much" read false on an accuracy that went 60 % → 77 % with ±5 % jitter.
        return itemOf(
          this,
          'pass',
          `${val.name}'s best (${fmt(val.y[p.bestIndex]!)} at ${p.unit} ${p.bestWhen}) is not clearly better than its first evaluation (${fmt(val.y[0]!)}) for how much it jumps: no best for early stopping to keep`,
          '',
          { bestIndexShare: Number(bestShare.toFixed(2)), bestGain: Number(gain.toFixed(3)) },
        );
      }
    }
    return itemOf(
      this,
      'warn',
      `Best ${val.name} at ${p.unit} ${p.bestWhen}, then ${n - 1 - p.bestIndex} evaluations without a better one`,
      `Add early stopping: ${planText(val, p)}. Or keep a checkpoint of the best ${val.name}.`,
      {
        bestStep: Math.round(val.x[p.bestIndex]),
        bestEpoch: p.unit === 'epoch' ? p.bestWhen : null,
        evaluations: n,
        patience: p.patience,
        stopAt: p.stopWhen,
        savedShare: Number(p.savedShare.toFixed(3)),
        ...(withOverfitting ? { withOverfitting: true } : {}),
      },
      planBand(val, p),
    );
  },
};
