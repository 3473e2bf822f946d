/** Every rule, in checklist order: data, architecture, training setup, generalization, convergence. */
import type { Rule } from './rule.ts';
import { classImbalanceRule } from './class-imbalance.ts';
import { duplicatesRule } from './duplicates.ts';
import { leakageRule } from './leakage.ts';
import { labelConflictsRule } from './label-conflicts.ts';
import { labelNoiseRule } from './label-noise.ts';
import { unnormalizedInputsRule } from './unnormalized-inputs.ts';
import { tooLittleDataRule } from './too-little-data.ts';
import { modelTooLargeRule } from './model-too-large.ts';
import { badInitialLossRule } from './bad-initial-loss.ts';
import { explodingGradientsRule } from './exploding-gradients.ts';
import { vanishingGradientsRule } from './vanishing-gradients.ts';
import { deadReluRule } from './dead-relu.ts';
import { saturationRule } from './saturation.ts';
import { lrTooHighRule } from './lr-too-high.ts';
import { lrTooLowRule } from './lr-too-low.ts';
import { oscillationRule } from './oscillation.ts';
import { lossSpikesRule } from './loss-spikes.ts';
import { unshuffledDataRule } from './unshuffled-data.ts';
import { noValidationRule } from './no-validation.ts';
import { earlyStoppingMissingRule } from './early-stopping-missing.ts';
import { overfittingRule } from './overfitting.ts';
import { generalizationGapRule } from './generalization-gap.ts';
import { noisyValidationRule } from './noisy-validation.ts';
import { valBetterThanTrainRule } from './val-better-than-train.ts';
import { underfittingRule } from './underfitting.ts';
import { nanLossRule } from './nan-loss.ts';
import { divergenceRule } from './divergence.ts';
import { trainLossRisingRule } from './train-loss-rising.ts';
import { plateauRule } from './plateau.ts';
import { stuckAtChanceRule } from './stuck-at-chance.ts';
import { slowConvergenceRule } from './slow-convergence.ts';
import { notConvergedRule } from './not-converged.ts';

export const RULES: readonly Rule[] = [
  // data
  classImbalanceRule,
  duplicatesRule,
  leakageRule,
  labelConflictsRule,
  labelNoiseRule,
  unnormalizedInputsRule,
  tooLittleDataRule,
  // architecture
  modelTooLargeRule,
  badInitialLossRule,
  explodingGradientsRule,
  vanishingGradientsRule,
  deadReluRule,
  saturationRule,
  // training setup
  lrTooHighRule,
  lrTooLowRule,
  oscillationRule,
  lossSpikesRule,
  unshuffledDataRule,
  noValidationRule,
  earlyStoppingMissingRule,
  // generalization
  overfittingRule,
  generalizationGapRule,
  noisyValidationRule,
  valBetterThanTrainRule,
  underfittingRule,
  // convergence
  nanLossRule,
  divergenceRule,
  trainLossRisingRule,
  plateauRule,
  stuckAtChanceRule,
  slowConvergenceRule,
  notConvergedRule,
];
