/**
 * bad_initial_loss: the untrained model starts confidently wrong (a last layer initialised too large, logits fed to a
 * loss that expects probabilities), so the first steps are spent undoing the initialisation.
 * - With the class count K known: the first training loss far above ln K, what a fresh softmax over K classes gives.
 * - Without it: a first loss below ln 2 (what a uniform guess over two classes costs) was never confidently wrong;
 *   above it, the start is read against the run's own next steps. A sane initialisation starts near chance and
 *   falls gradually; a confidently wrong one starts many times higher and collapses within the first few per cent of
 *   the run (per step), or within the first epoch (per epoch: the first epoch's mean is many times the second's).
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { fmt } from './shared.ts';
import { median } from '../signals/stats.ts';

/** First loss above this multiple of ln K: fail; a first epoch's mean above WARN_FACTOR: warn (see below). */
export const FAIL_FACTOR = 3;
export const WARN_FACTOR = 1.5;
/**
 * Thresholds of the reading without K, fitted on the corpus' tune split by `npm run corpus -- --fit`; `falseAlarms` is
 * this rule's share of healthy tune runs flagged at these values. `stepCollapse`: the first logged step loss over the
 * median of the points logged in the next EARLY_SHARE of the run; `epochCollapse`: the first epoch's loss over the
 * second's; `epochOverVal`: the first epoch's training loss over the first validation loss (taken after that epoch:
 * a sane start is a little above it, a confidently wrong one many times).
 */
export const FIT = { stepCollapse: 8, epochCollapse: 14, epochOverVal: 7, falseAlarms: 0 };
/** The window after the first step the collapse is measured against (share of the logged points, at least 3). */
export const EARLY_SHARE = 0.03;
/** …and it must end within this many optimiser steps of the first point (see the step reading below). */
export const MAX_COLLAPSE_STEPS = 30;

export const badInitialLossRule: Rule = {
  id: 'bad_initial_loss',
  area: 'architecture',
  check({ view, context }) {
    const K = context.classes;
    const c = view.trainLoss;
    if (!c || c.source.values.length === 0) return unknownItem(this, 'No training loss', 'Log the training loss from the first step.');
    const values = c.source.values;
    let firstAt = -1;
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) { firstAt = i; break; }
    const first = firstAt >= 0 ? values[firstAt]! : NaN;
    if (K && K >= 2) {
      const expected = Math.log(K);
      const ratio = first / expected;
      const evidence = { firstLoss: Number(first.toPrecision(4)), expected: Number(expected.toFixed(4)), classes: K, ratio: Number(ratio.toFixed(2)) };
      const mark = [{ series: c.name, step: c.source.steps[0], label: `first loss (ln ${K} = ${fmt(expected)})`, kind: 'point' as const, value: Number(first.toPrecision(4)) }];
      // No finite loss at all is nan_loss's story: the start cannot be read.
      if (!Number.isFinite(first)) return itemOf(this, 'unknown', 'Not judged: no finite training loss (see nan_loss)', 'Fix the NaN first (nan_loss).', { ...evidence, deferredTo: 'nan_loss' });
      if (ratio >= FAIL_FACTOR) return itemOf(this, 'fail', `First loss ${fmt(first)} is ${ratio.toFixed(1)}× ln ${K} = ${fmt(expected)}`, 'The untrained model is confidently wrong: initialise the last layer to small weights (bias to log class priors), check the output activation against the loss (logits vs probabilities) and the label encoding.', evidence, mark);
      // One batch's loss at init scatters around ln K (a batch of 2 can read twice it); an epoch's mean averages the
      // collapse from a bad start away, so there a mean above WARN_FACTOR × ln K already says the model spent much of
      // the epoch worse than a uniform guess.
      if (ratio >= WARN_FACTOR && c.cadence === 'epoch') return itemOf(this, 'warn', `First epoch's loss ${fmt(first)} is ${ratio.toFixed(1)}× ln ${K} = ${fmt(expected)}`, 'Check the initialisation of the last layer and the output activation vs the loss.', evidence, mark);
      return itemOf(this, 'pass', `First loss ${fmt(first)} is consistent with ln ${K} = ${fmt(expected)} (or a pretrained start)`, '', evidence);
    }
    if (!(first > 0)) return unknownItem(this, 'The class count is not known', 'Give the class count K (CLI --classes, API `classes`) to compare the first loss with ln K.');
    // A uniform guess over K ≥ 2 classes costs ln K ≥ ln 2: a cross-entropy that starts below ln 2 is already better
    // than any uniform guess, so however fast it falls next, the start was not confidently wrong.
    if (first < Math.LN2) return itemOf(this, 'pass', `The first loss ${fmt(first)} is already low: a classifier that starts below ln 2 = 0.693 beats any uniform guess, so its start was not confidently wrong`, '', { firstLoss: Number(first.toPrecision(4)), belowLn2: true });
    // Without K: the start against the run's own next steps.
    let against = NaN;
    let threshold = NaN;
    let what = '';
    if (c.cadence === 'step') {
      const n = values.length - firstAt;
      let k = Math.max(3, Math.ceil(n * EARLY_SHARE));
      if (n < k + 2) return unknownItem(this, 'Too few training-loss points to judge the start', 'Log the training loss from the first step, or give the class count K.');
      // Undoing a bad initialisation takes a few optimiser steps; a healthy model on an easy task also falls several
      // times within its first hundred. So the window ends within MAX_COLLAPSE_STEPS of the first point, and points
      // logged further apart than that cannot tell the two apart.
      const steps = c.source.steps;
      let within = 0;
      while (within < k && steps[firstAt + within + 1]! - steps[firstAt]! <= MAX_COLLAPSE_STEPS) within++;
      if (within < 3) {
        const apart = (steps[firstAt + 3]! - steps[firstAt]!) / 3;
        return unknownItem(this, `The first training-loss points are ${fmt(apart)} steps apart: too sparse to tell a bad initialisation from fast early learning`, 'Log the training loss every step at the start, or give the class count K.');
      }
      k = within;
      against = median(Array.from(values.subarray(firstAt + 1, firstAt + 1 + k)));
      threshold = FIT.stepCollapse;
      what = `the median of the next ${k} logged steps`;
    } else {
      // The second finite epoch and whether there is a third, without copying a long series.
      let second = NaN;
      let seen = 0;
      for (let i = firstAt + 1; i < values.length && seen < 2; i++) if (Number.isFinite(values[i])) { if (seen++ === 0) second = values[i]!; }
      if (seen < 2) return unknownItem(this, 'Too few epochs to judge the start', 'Log the training loss per step, or give the class count K.');
      against = second;
      threshold = FIT.epochCollapse;
      what = 'the second epoch';
      const v = view.valLoss?.source;
      // The first finite value, found in place: a million-epoch log is not copied to read one number.
      let firstVal: number | undefined;
      for (let i = 0; v && i < v.values.length; i++) if (Number.isFinite(v.values[i])) { firstVal = v.values[i]; break; }
      // The reading that clears its own bar by more tells the story.
      if (firstVal !== undefined && firstVal > 0 && first / firstVal / FIT.epochOverVal > first / against / FIT.epochCollapse) {
        against = firstVal;
        threshold = FIT.epochOverVal;
        what = 'the first validation loss';
      }
    }
    const ratio = first / against;
    const evidence = { firstLoss: Number(first.toPrecision(4)), comparedWith: what, thatLevel: Number(against.toPrecision(4)), ratio: Number(ratio.toFixed(2)) };
    if (!(ratio >= threshold)) return itemOf(this, 'pass', `The first loss ${fmt(first)} is ${ratio.toFixed(1)}× ${what}: a gradual start`, '', evidence);
    return itemOf(
      this,
      'warn',
      `The first loss ${fmt(first)} is ${ratio.toFixed(0)}× ${what} (${fmt(against)}): the model started confidently wrong and spent its first steps undoing its initialisation`,
      'Initialise the last layer to small weights (bias to the log class priors), check the output activation against the loss (logits vs probabilities) and the label encoding; give --classes to compare with ln K.',
      evidence,
      [{ series: c.name, step: c.source.steps[firstAt]!, label: 'first loss', kind: 'point', value: Number(first.toPrecision(4)) }],
    );
  },
};
