/**
 * lr_too_low: the loss falls steadily, almost linearly, and is still falling at the end: the optimiser is taking
 * small safe steps and the run ran out of time before the curve bent.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { notConvergedRule } from './not-converged.ts';
import { halfwayMark, slowConvergenceRule } from './slow-convergence.ts';
import { fmt } from './shared.ts';
import { medianUpdateRatio, UPDATE_RATIO_WARN as LARGE_UPDATE_RATIO } from './lr-too-high.ts';
import { findDivergence } from './divergence.ts';

/** Update/weight ratio (instrumentation; healthy ≈ 1e-3) at or below this: the weights barely move. */
export const UPDATE_RATIO_WARN = 1e-5;

export const lrTooLowRule: Rule = {
  id: 'lr_too_low',
  area: 'training',
  check(input) {
    const ratio = medianUpdateRatio(input.context.instrumentation?.updateRatio);
    const lrKnown = input.view.lr ? input.view.lr.y[input.view.lr.y.length - 1] : input.context.config?.learningRate;
    // Weights that do not move at all (ratio 0) are frozen or broken (NaN after a blow-up), not stepped too gently.
    if (ratio !== null && ratio > 0 && ratio <= UPDATE_RATIO_WARN) {
      return itemOf(
        this,
        'warn',
        `Each step changes the weights by only ${fmt(ratio)} of their size (healthy ≈ 1e-3)`,
        `Raise the learning rate${lrKnown !== undefined ? ` (now ${fmt(lrKnown)})` : ''} about ${Math.max(3, Math.round(1e-3 / Math.max(ratio, 1e-12) / 10))}×.`,
        { updateRatioMedian: Number(ratio.toPrecision(3)), learningRate: lrKnown ?? null },
      );
    }
    // A slow fall after a blow-up, or while every step moves the weights by a large share of their size, is the
    // opposite problem: telling the user to raise the rate there would contradict lr_too_high on the same run.
    if (ratio !== null && ratio >= LARGE_UPDATE_RATIO) {
      return itemOf(this, 'pass', `Each step already changes the weights by ${fmt(ratio)} of their size: the rate is not too low`, '', { updateRatioMedian: Number(ratio.toPrecision(3)), learningRate: lrKnown ?? null });
    }
    const train = input.view.trainLoss;
    if (train && findDivergence(train)) {
      return itemOf(this, 'pass', 'The training loss diverged: the rate is not too low', '', { learningRate: lrKnown ?? null });
    }
    const notConverged = notConvergedRule.check(input);
    const slow = slowConvergenceRule.check(input);
    if (notConverged.status === 'unknown' || slow.status === 'unknown') {
      // Say which curve fell short and by how much, from the check that could not run, rather than a generic count.
      const missing = slow.status === 'unknown' ? slow : notConverged;
      return unknownItem(this, `Cannot judge the learning rate from the curve: ${missing.title.charAt(0).toLowerCase()}${missing.title.slice(1)}`, `${String(missing.evidence.needs ?? missing.fix)} Logging the learning rate helps too.`);
    }
    const lr = input.view.lr ? input.view.lr.y[input.view.lr.y.length - 1] : input.context.config?.learningRate;
    // A slow shape counts here even when the descent is too small to call slow_convergence on its own.
    const slowShape = slow.status === 'warn' || slow.evidence.slowShape === true;
    if (notConverged.status === 'warn' && slowShape) {
      // A passing item draws nothing: the slow shape's halfway line is drawn here from its evidence.
      const marks = slow.status === 'warn' ? slow.marks : [halfwayMark(String(slow.evidence.series), Number(slow.evidence.halfwayStep))];
      return itemOf(
        this,
        'warn',
        'The loss falls slowly and steadily and is still falling at the end: the learning rate may be too low',
        `Try a learning rate 3–10× higher${lr !== undefined ? ` than ${fmt(lr)}` : ''} (or a learning-rate range test), or train longer.`,
        { ...notConverged.evidence, halfwayShare: slow.evidence.halfwayShare, learningRate: lr ?? null },
        marks,
      );
    }
    return itemOf(this, 'pass', 'No sign of a too-low learning rate (the curve bends)', '', { learningRate: lr ?? null });
  },
};
