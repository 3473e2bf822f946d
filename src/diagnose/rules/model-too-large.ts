/**
 * model_too_large: far more parameters than training examples. On its own a warning (big pretrained models
 * fine-tune fine); together with overfitting in the curves, a failure.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { trainSizeOf } from '../../data/dataset-checks.ts';
import { findOverfitting } from './overfitting.ts';

/** Parameters per training example: warn above WARN_RATIO; fail above FAIL_RATIO when the curves overfit. */
export const WARN_RATIO = 1000;
export const FAIL_RATIO = 100;

export const modelTooLargeRule: Rule = {
  id: 'model_too_large',
  area: 'architecture',
  check({ view, context }) {
    const params = context.model?.params ?? context.model?.layers?.reduce((s, l) => s + (l.params ?? 0), 0);
    const n = trainSizeOf(context.dataset);
    if (!params || !n) return unknownItem(this, 'Model size or training-set size is not known', 'Provide the model summary (parameter count) and the training-set size.');
    const ratio = params / n;
    const overfit = findOverfitting(view);
    const evidence = { params, trainSize: n, paramsPerExample: Number(ratio.toPrecision(3)), overfitting: !!overfit };
    if (overfit && ratio >= FAIL_RATIO) {
      return itemOf(this, 'fail', `${params.toLocaleString('en')} parameters for ${n} examples (${Math.round(ratio)} per example), and the curves overfit`, 'Use a smaller model (fewer/narrower layers), freeze a pretrained backbone, or add regularisation and data.', evidence);
    }
    if (ratio >= WARN_RATIO) {
      return itemOf(this, 'warn', `${params.toLocaleString('en')} parameters for ${n} examples (${Math.round(ratio)} per example)`, 'Unless fine-tuning a pretrained model, use a smaller model or more data; watch validation closely.', evidence);
    }
    return itemOf(this, 'pass', `${Math.round(ratio)} parameters per training example`, '', evidence);
  },
};
