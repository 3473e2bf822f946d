/**
 * "Rerun with fix": the verdict of a job-made run, turned into the next job's config. Pure. Each failing or warning
 * item maps to the change its fix text suggests; for faults the job switched on deliberately, the fix is to switch
 * the fault off (the job owns its data, so "normalise the inputs" means exactly that). On a team's own model, the
 * fixes that would change a preset's architecture (activation, batch norm) do not apply (its file decides its
 * layers); the rate, epochs, batch, shuffling, validation, early stopping and dropout before the logits do. Given a
 * learning-rate range test's suggestion (lrfind; any job, a preset or a team's own model, whatever its optimizer), a fix
 * of the rate takes that rate (to three significant digits) instead of ÷10 or ×10.
 */
import type { Verdict, VerdictItem } from '../domain/verdict.ts';
import type { Faults, JobConfig } from './job-config.ts';
import { CUSTOM_IGNORED_SETTINGS, isCustomJob, parseJobConfig } from './job-config.ts';

export interface FixChange {
  itemId: string;
  /** What changed, for the button's confirmation and the comparison chart ("learning rate 0.5 → 0.05"). */
  description: string;
}

export interface FixedConfig {
  config: JobConfig;
  changes: FixChange[];
}

export interface FixOptions {
  /**
   * The rate a learning-rate range test suggests for this model and data: a fix that lowers the rate takes it when it
   * is lower than the job's, one that raises it when it is higher (else ÷10 and ×10 as without it).
   */
  suggestedLearningRate?: number | null;
}

type Fixer = (c: JobConfig, item: VerdictItem, o: FixOptions) => string | null;

const withoutFault = (c: JobConfig, fault: keyof Faults, what: string): string | null => {
  if (c.faults[fault] === undefined || c.faults[fault] === false) return null;
  delete c.faults[fault];
  return what;
};

/** How a change of rate reads ("learning rate 0.5 → 0.05", "… → 0.0012 (the range test's suggestion)"). */
export function describeRateChange(before: number, after: number, fromRangeTest: boolean): string {
  return `learning rate ${fmt(before)} → ${fmt(after)}${fromRangeTest ? " (the range test's suggestion)" : ''}`;
}

/** A range test's rate as a job takes it: three significant digits (the run's name and the answer show it so). */
const testedRate = (o: FixOptions): number | null => (typeof o.suggestedLearningRate === 'number' && o.suggestedLearningRate > 0 && Number.isFinite(o.suggestedLearningRate) ? Number(o.suggestedLearningRate.toPrecision(3)) : null);

const lowerLr: Fixer = (c, _i, o) => {
  const before = c.learningRate;
  const suggested = testedRate(o);
  const fromTest = suggested !== null && suggested < before;
  c.learningRate = fromTest ? suggested : before / 10;
  return describeRateChange(before, c.learningRate, fromTest);
};

const FIXERS: Record<string, Fixer> = {
  divergence: lowerLr,
  nan_loss: lowerLr,
  lr_too_high: lowerLr,
  loss_spikes: lowerLr,
  oscillation: lowerLr,
  exploding_gradients: (c, i, o) => withoutFault(c, 'explodingInit', 'initialisation back to Glorot') ?? lowerLr(c, i, o),
  lr_too_low: (c, _i, o) => {
    const before = c.learningRate;
    const suggested = testedRate(o);
    const fromTest = suggested !== null && suggested > before;
    c.learningRate = fromTest ? suggested : Math.min(before * 10, 1);
    return c.learningRate === before ? null : describeRateChange(before, c.learningRate, fromTest);
  },
  unshuffled_data: (c) => {
    const was = c.shuffle && !c.faults.sortedLabels;
    delete c.faults.sortedLabels;
    c.shuffle = true;
    return was ? null : 'shuffle the training data every epoch';
  },
  overfitting: (c) => earlyStoppingAndDropout(c),
  generalization_gap: (c) => earlyStoppingAndDropout(c),
  early_stopping_missing: (c) => {
    if (c.earlyStopping) return null;
    c.earlyStopping = { patience: 3, restoreBestWeights: true };
    return 'early stopping (patience 3, restore best weights)';
  },
  not_converged: (c) => moreEpochs(c),
  underfitting: (c) => moreEpochs(c),
  slow_convergence: (c) => moreEpochs(c),
  no_validation: (c) => {
    // Only a change that makes the next job differ: a job with a split already validates.
    if (c.faults.noValidation) return withoutFault(c, 'noValidation', 'validation split restored');
    if (c.validationSplit > 0) return null;
    c.validationSplit = 0.2;
    return 'validation split 0.2';
  },
  // A preset's own data is normalised unless the fault scaled it; a team's own data gets normalised by the job.
  unnormalized_inputs: (c) => {
    const fault = withoutFault(c, 'unnormalized', 'inputs scaled back to [0, 1]');
    if (fault || !isCustomJob(c) || c.normalizeInputs) return fault;
    c.normalizeInputs = true;
    return 'inputs normalised from training-split statistics (images to 0–1, features standardised)';
  },
  label_noise: (c) => withoutFault(c, 'labelNoise', 'noisy labels replaced by the clean ones'),
  class_imbalance: (c) => withoutFault(c, 'classImbalance', 'classes rebalanced'),
  too_little_data: (c) => withoutFault(c, 'tinyTrain', 'the full training set'),
  dead_relu: (c) => {
    const fault = withoutFault(c, 'dyingRelu', 'biases initialised to 0');
    if (c.activation !== 'relu') return fault;
    c.activation = 'leakyRelu';
    return [fault, 'activation relu → leaky ReLU'].filter(Boolean).join('; ');
  },
  vanishing_gradients: (c) => saneActivations(c),
  saturation: (c) => saneActivations(c),
  bad_initial_loss: (c) =>
    [withoutFault(c, 'explodingInit', 'initialisation back to Glorot'), withoutFault(c, 'lossMismatch', 'softmax output for the cross-entropy loss')].filter(Boolean).join('; ') || null,
};

const BLOW_UP = new Set(['divergence', 'nan_loss', 'lr_too_high']);

/**
 * A diverging run can also look "too slow" or "not converged": raising the rate or the epochs would not help. Its
 * validation loss climbs with the training loss, so early_stopping_missing can fire too; stopping the rerun early
 * would only hide whether the lower rate fixed it.
 */
const SKIPPED_AFTER_DIVERGENCE = new Set(['lr_too_low', 'not_converged', 'underfitting', 'slow_convergence', 'early_stopping_missing']);

const DIVERGENCE_AFTERMATH: Record<string, { fault: keyof Faults; what: string }> = {
  vanishing_gradients: { fault: 'deepSigmoid', what: 'the 8-layer sigmoid stack removed' },
  saturation: { fault: 'deepSigmoid', what: 'the 8-layer sigmoid stack removed' },
  dead_relu: { fault: 'dyingRelu', what: 'biases initialised to 0' },
};

function earlyStoppingAndDropout(c: JobConfig): string | null {
  const parts: string[] = [];
  if (!c.earlyStopping) {
    c.earlyStopping = { patience: 3, restoreBestWeights: true };
    parts.push('early stopping (patience 3, restore best weights)');
  }
  if (c.dropout < 0.3) {
    parts.push(`dropout ${c.dropout} → 0.3`);
    c.dropout = 0.3;
  }
  return parts.length ? parts.join('; ') : null;
}

function moreEpochs(c: JobConfig): string | null {
  const before = c.epochs;
  c.epochs = Math.min(before * 2, 1000);
  return c.epochs === before ? null : `epochs ${before} → ${c.epochs}`;
}

function saneActivations(c: JobConfig): string | null {
  const parts: string[] = [];
  const fault = withoutFault(c, 'deepSigmoid', 'the 8-layer sigmoid stack removed');
  if (fault) parts.push(fault);
  if (c.activation === 'sigmoid' || c.activation === 'tanh') {
    parts.push(`activation ${c.activation} → relu`);
    c.activation = 'relu';
  }
  if (!c.batchNorm && !fault) {
    c.batchNorm = true;
    parts.push('batch normalisation');
  }
  return parts.length ? parts.join('; ') : null;
}

function fmt(x: number): string {
  return Number(x.toPrecision(3)).toString();
}

/** The next job's config: every fail/warn item with a known fix applied once, in verdict order. */
export function applyFix(config: JobConfig, verdict: Verdict, o: FixOptions = {}): FixedConfig {
  const custom = isCustomJob(config);
  const next = structuredClone(config);
  const changes: FixChange[] = [];
  let lrLowered = false;
  const problems = verdict.items.filter((i) => i.status === 'fail' || i.status === 'warn');
  // A blow-up (a warning of spikes or bouncing alone is not one) makes other findings its aftermath.
  const lrTooHigh = problems.some((i) => BLOW_UP.has(i.id) || (FIXERS[i.id] === lowerLr && i.status === 'fail'));
  for (const item of problems) {
    const fixer = FIXERS[item.id];
    if (!fixer) continue;
    // A blown-up curve has not "not converged": more epochs would only burn more time on the same explosion.
    if (lrTooHigh && SKIPPED_AFTER_DIVERGENCE.has(item.id)) continue;
    // After a blow-up the gradients are zero or NaN everywhere, which reads as vanishing gradients or dead units:
    // fix the rate first and change one thing at a time (a deliberate fault is still switched off).
    const aftermath = lrTooHigh ? DIVERGENCE_AFTERMATH[item.id] : undefined;
    if (aftermath) {
      const description = withoutFault(next, aftermath.fault, aftermath.what);
      if (description) changes.push({ itemId: item.id, description });
      continue;
    }
    // Divergence, spikes and NaNs usually come together: one ÷10 for all of them, not ÷1000.
    if (fixer === lowerLr && lrLowered) continue;
    const lrBefore = next.learningRate;
    const before = JSON.stringify(next);
    const kept = custom ? structuredClone(next) : null;
    const description = fixer(next, item, o);
    // On a custom model a change of a preset's architecture setting would change nothing: not a fix to offer.
    if (kept && CUSTOM_IGNORED_SETTINGS.some((k) => JSON.stringify(next[k]) !== JSON.stringify(kept[k]))) {
      Object.assign(next, kept);
      continue;
    }
    if (next.learningRate < lrBefore) lrLowered = true;
    // A fix that leaves the config as it was would rerun the same job: not a change to offer.
    if (description && JSON.stringify(next) !== before) changes.push({ itemId: item.id, description });
  }
  return { config: parseJobConfig(next), changes };
}

/** Whether the fixes change the learning rate (a range test's suggestion can then replace ÷10 or ×10). */
export function fixChangesRate(config: JobConfig, fixed: FixedConfig): boolean {
  return fixed.config.learningRate !== config.learningRate;
}

/** Which verdict items a rerun could act on: the button is only offered when there is at least one. */
export function fixableItems(verdict: Verdict): string[] {
  return verdict.items.filter((i) => (i.status === 'fail' || i.status === 'warn') && FIXERS[i.id]).map((i) => i.id);
}
