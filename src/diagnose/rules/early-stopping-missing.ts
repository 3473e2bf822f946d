/**
 * early_stopping_missing: the best validation came in the first part of a long run and nothing stopped it; the
 * rest was spent getting worse (or no better).
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { judgedValidation, MIN_EVALS } from './overfitting.ts';
import { earlyStoppingWhatIf } from './early-stopping-what-if.ts';
import { meaningful, whenAt } from './shared.ts';
import { median } from '../signals/stats.ts';

/** Patience of the what-if that must have saved at least MIN_SAVED_SHARE of the evaluations. */
export const PATIENCE = 5;
export const MIN_SAVED_SHARE = 0.3;
/** The best evaluation lies in the first part of the run. */
export const BEST_BEFORE_SHARE = 0.6;
/** The end must be worse than the best by this many noise units. */
export const NOISE_SIGMAS = 2;
/** A run shorter than this many evaluations is "short": judged with SHORT_RUN_PATIENCE, as overfitting's what-if is. */
export const MIN_LONG_RUN = 10;
export const SHORT_RUN_PATIENCE = 3;

export const earlyStoppingMissingRule: Rule = {
  id: 'early_stopping_missing',
  area: 'training',
  check({ view, context }) {
    if (context.config?.earlyStopping === true) return itemOf(this, 'pass', 'Early stopping is configured', '', { earlyStopping: true });
    const { val } = judgedValidation(view);
    if (!val) return unknownItem(this, 'No validation curve to judge early stopping', 'Log val_loss (or a validation metric) each epoch.');
    if (val.ts.length < MIN_EVALS) return unknownItem(this, `Too few validation points to judge early stopping (${val.name} has ${val.ts.length}, needs ${MIN_EVALS})`, `Evaluate on validation at least ${MIN_EVALS} times (each epoch).`);
    const n = val.ts.length;
    // A patience of 5 cannot stop a run of 8 evaluations in time; a short run is asked what patience 3 would have
    // done (overfitting's what-if), so the two items never disagree about the same run.
    const patience = n < MIN_LONG_RUN ? SHORT_RUN_PATIENCE : PATIENCE;
    const w = earlyStoppingWhatIf(val, patience);
    let best = 0;
    for (let i = 1; i < n; i++) if (val.ts[i] < val.ts[best]) best = i;
    const endLevel = median(Array.from(val.ts.subarray(n - Math.max(3, Math.floor(n * 0.1)))));
    const worseAtEnd = endLevel - val.ts[best] >= meaningful(val, NOISE_SIGMAS);
    if (w.stopIndex === null || w.savedShare < MIN_SAVED_SHARE || best / (n - 1) > BEST_BEFORE_SHARE || !worseAtEnd) {
      return itemOf(this, 'pass', `Best ${val.name} late enough in the run that early stopping would change little`, '', { bestIndexShare: Number((best / (n - 1)).toFixed(2)) });
    }
    const at = whenAt(val, best);
    const unit = at.epoch !== undefined ? 'epoch' : 'step';
    return itemOf(
      this,
      'warn',
      `Best ${val.name} at ${unit} ${at.epoch ?? at.step} of ${n} evaluations; early stopping (patience ${patience}) would have saved ${Math.round(w.savedShare * 100)} % of them`,
      `Add early stopping on ${val.name} (patience ${patience}, restore best weights) or a checkpoint callback that keeps the best model.`,
      { bestStep: at.step, bestEpoch: at.epoch ?? null, evaluations: n, patience, stopAt: w.stopWhen, savedShare: Number(w.savedShare.toFixed(3)) },
      [{ series: val.name, step: Math.round(val.x[w.stopIndex]), toStep: Math.round(val.x[n - 1]), label: 'after early stop', kind: 'band' }],
    );
  },
};
