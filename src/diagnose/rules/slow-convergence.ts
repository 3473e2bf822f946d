/**
 * slow_convergence: half of the run's improvement came only late. Healthy curves fall fast and then flatten;
 * a curve that gets halfway only past the middle is learning slowly (learning rate, initialisation, normalisation).
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { longestCurve, progressCurve } from './progress-curve.ts';
import { fmt, levels, meaningful, whenAt } from './shared.ts';
import type { Curve } from '../signals/view.ts';
import type { Mark } from '../../domain/verdict.ts';

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - slowHalfShare: Halfway point later than this share of the run = slow.
 * - noiseSigmas: The run's improvement must be real (this many noise units) for its halfway point to mean anything.
 * - minLogProgress: …and, on the log scale, at least this much in all (≈ 10 %).
 */
export const FIT = { slowHalfShare: 0.45, noiseSigmas: 6, minLogProgress: 0.0175, falseAlarms: 0.005 };
/** Fewer points than this cannot place a halfway point. */
export const MIN_POINTS = 6;
/**
 * To be called slow on its own, a curve must have made real progress: at least this much in all (log, ≈ 18 %), the
 * corpus' definition (confirm.py's check_slow: P ≥ 0.2). A label-smoothed loss that crept from 1.258 to 1.229 has no
 * convergence to be slow about. The tune split cannot place this bar (no run labelled slow lies between 0.0175 and
 * 0.2, so the fit kept the lower value), so the definition's value is taken. lr_too_low still times curves from
 * `minLogProgress`: a rate too low shows as a slow, small, steady fall.
 */
export const MIN_LOG_PROGRESS_ALONE = 0.2;

interface ConvergenceTiming {
  /** Share of the run the curve took to make half its progress. */
  share: number;
  /** Its start and end levels (badness units; log on a log scale): the progress in all is head − tail. */
  head: number;
  tail: number;
  /** Index of the halfway point. */
  at: number;
}

/** When the curve made half its progress; null when it moved too little (noise or `minLogProgress`) to time. */
function timeConvergence(c: Curve): ConvergenceTiming | null {
  const { head, tail } = levels(c);
  const total = head - tail;
  if (total < meaningful(c, FIT.noiseSigmas) || (c.logScale && total < FIT.minLogProgress)) return null;
  const half = head - total / 2;
  let i = 0;
  while (i < c.ts.length && c.ts[i] > half) i++;
  return { share: i / (c.ts.length - 1), head, tail, at: Math.min(i, c.ts.length - 1) };
}

/** The chart's line at the halfway point, drawn by slow_convergence and by lr_too_low when it reads the slow shape. */
export function halfwayMark(series: string, step: number): Mark {
  return { series, step, label: 'halfway', kind: 'line' };
}

export const slowConvergenceRule: Rule = {
  id: 'slow_convergence',
  area: 'convergence',
  check({ view }) {
    const c = progressCurve(view, MIN_POINTS);
    if (!c) {
      const longest = longestCurve(view);
      return unknownItem(
        this,
        longest ? `Too few points to time convergence (${longest.name} has ${longest.ts.length}, needs ${MIN_POINTS})` : 'No loss or metric curve to time convergence',
        `Log the loss (or a validation metric) at least ${MIN_POINTS} times.`,
      );
    }
    // Nothing to time: whether the curve is flat or still creeping down is plateau's and not_converged's question.
    // A curve that moved a couple of per cent in all has no convergence to time, however cleanly it moved.
    const t = timeConvergence(c);
    if (!t) return itemOf(this, 'pass', `${c.name} changed too little overall to time its convergence (plateau and not_converged judge the shape)`, '', { series: c.name });
    const share = t.share;
    if (share < FIT.slowHalfShare) return itemOf(this, 'pass', `${c.name} made half its progress in the first ${Math.round(share * 100)} % of the run`, '', { series: c.name, halfwayShare: Number(share.toFixed(2)) });
    const at = whenAt(c, t.at);
    if (c.logScale && t.head - t.tail < MIN_LOG_PROGRESS_ALONE) {
      // The shape is slow but the descent too small to call slow on its own: lr_too_low reads `slowShape`.
      return itemOf(
        this,
        'pass',
        `${c.name} moved too little in all (${fmt(c.scale.fromBadness(t.head))} → ${fmt(c.scale.fromBadness(t.tail))}) to call its convergence slow (plateau and not_converged judge the shape)`,
        '',
        { series: c.name, halfwayShare: Number(share.toFixed(2)), halfwayStep: at.step, halfwayEpoch: at.epoch ?? null, slowShape: true },
      );
    }
    return itemOf(
      this,
      'warn',
      `${c.name} took ${Math.round(share * 100)} % of the run to make half its progress`,
      'Learning is slow: run a learning-rate range test (too low crawls, too high stalls), normalise the inputs, use a better initialisation or batch normalisation.',
      { series: c.name, halfwayShare: Number(share.toFixed(2)), halfwayStep: at.step, halfwayEpoch: at.epoch ?? null },
      [halfwayMark(c.name, at.step)],
    );
  },
};
