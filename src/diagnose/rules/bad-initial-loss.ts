/**
 * bad_initial_loss: the first training loss is far from ln K, what a freshly initialised softmax classifier over
 * K classes should start at. Far above = overconfident wrong outputs (bad init or output scaling); the check needs K.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { fmt } from './shared.ts';

/** First loss above this multiple of ln K: fail; above WARN_FACTOR: warn. */
export const FAIL_FACTOR = 3;
export const WARN_FACTOR = 1.5;

export const badInitialLossRule: Rule = {
  id: 'bad_initial_loss',
  area: 'architecture',
  check({ view, context }) {
    const K = context.classes;
    const c = view.trainLoss;
    if (!c || c.source.values.length === 0) return unknownItem(this, 'No training loss', 'Log the training loss from the first step.');
    if (!K || K < 2) return unknownItem(this, 'The class count is not known', 'Give the class count K (CLI --classes, API `classes`) to compare the first loss with ln K.');
    let first = NaN;
    for (const v of c.source.values) if (Number.isFinite(v)) { first = v; break; }
    const expected = Math.log(K);
    const ratio = first / expected;
    const evidence = { firstLoss: Number(first.toPrecision(4)), expected: Number(expected.toFixed(4)), classes: K, ratio: Number(ratio.toFixed(2)) };
    const mark = [{ series: c.name, step: c.source.steps[0], label: `first loss (ln ${K} = ${fmt(expected)})`, kind: 'point' as const, value: Number(first.toPrecision(4)) }];
    if (!Number.isFinite(first)) return itemOf(this, 'fail', 'The first loss is not finite', 'Check inputs, labels and the loss function for NaN sources.', evidence);
    if (ratio >= FAIL_FACTOR) return itemOf(this, 'fail', `First loss ${fmt(first)} is ${ratio.toFixed(1)}× ln ${K} = ${fmt(expected)}`, 'The untrained model is confidently wrong: initialise the last layer to small weights (bias to log class priors), check the output activation against the loss (logits vs probabilities) and the label encoding.', evidence, mark);
    if (ratio >= WARN_FACTOR) return itemOf(this, 'warn', `First loss ${fmt(first)} is ${ratio.toFixed(1)}× ln ${K} = ${fmt(expected)}`, 'Check the initialisation of the last layer and the output activation vs the loss.', evidence, mark);
    return itemOf(this, 'pass', `First loss ${fmt(first)} is consistent with ln ${K} = ${fmt(expected)} (or a pretrained start)`, '', evidence);
  },
};
