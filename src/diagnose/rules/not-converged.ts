/**
 * not_converged: the run ended while still improving beyond the noise. Fits the tail and estimates how many more
 * epochs (or steps) the next 1 % would take: "give it more epochs".
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { progressCurve } from './progress-curve.ts';
import { fittedChangeError, HEAD_POINTS, tailTrend } from './shared.ts';
import { median } from '../signals/stats.ts';
import { secondDifferenceNoise } from '../signals/noise.ts';
import type { Curve } from '../signals/view.ts';

/** Share of the run whose trend is judged. */
export const TAIL_FRACTION = 0.25;
/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - noiseSigmas: The tail's improvement must be at least this many standard errors of a fitted change over the tail (noise σ · √(12/k) for k evenly spaced points): a trend the noise would not produce… (σ from second differences
 *   since f7b955f; 2.5 re-checked on the tune split then: 2 flags one more healthy run, 3 loses 7 hits)
 * - minShareOfProgress: …and at least this share of the whole run's improvement, both in the metric's own units (below
 *   it, the curve has flattened: converged).
 * - minLogTailDrop: …and at least 1 % (log scale) over the tail.
 */
export const FIT = { noiseSigmas: 2.5, minShareOfProgress: 0.08, minLogTailDrop: 0.00378, falseAlarms: 0.005 };

export const notConvergedRule: Rule = {
  id: 'not_converged',
  area: 'convergence',
  check({ view }) {
    // A run whose loss ended as NaN/Inf did not stop short of convergence: it broke. "Give it more epochs" would be
    // the wrong advice; nan_loss says what to do. (A NaN step in the middle, as a loss scaler skips, does not count.)
    const broken = view.all.find((c) => c.key === 'loss' && c.nonFinite !== null && !Number.isFinite(c.source.values[c.source.values.length - 1]!));
    if (broken) {
      return itemOf(
        this,
        'unknown',
        `Not judged: ${broken.name} ended as ${broken.source.values[broken.source.values.length - 1]} (see nan_loss)`,
        'Fix the NaN first (nan_loss); then see whether the run needs more epochs.',
        { deferredTo: 'nan_loss', series: broken.name },
      );
    }
    const c = progressCurve(view);
    if (!c) return unknownItem(this, 'Too few points to see whether training had converged', 'Log the loss (ideally val_loss) at least 4 times.');
    const t = tailTrend(c, TAIL_FRACTION);
    if (!t) return unknownItem(this, 'Too few points to fit the tail', 'Log the loss more often.');
    const drop = -t.change;
    // An evaluation-level curve's noise from its second differences, as the corpus definition measures it: a bend
    // cancels there, while first differences read the curvature of a smooth fall as noise (val_loss 1.61, 0.88, 0.55,
    // 0.42, 0.33, 0.29, 0.25, 0.23 had σ 0.11 and "no clear sign it was still improving"). Tune split: not_converged
    // F1 66 → 78, false alarms on healthy unchanged.
    // Below 5 points there are too few second differences: the first-difference estimate stands.
    const d2 = c.smoothed ? NaN : secondDifferenceNoise(c.ts);
    const rawNoise = c.smoothed ? c.smoothNoise : Number.isFinite(d2) ? d2 : c.noise;
    const noise = Number.isFinite(rawNoise) ? rawNoise : 0;
    const k = c.ts.length - t.from;
    /** A change over the tail that neither the noise nor rounding explains. */
    const beyondNoise = (change: number) => change >= FIT.noiseSigmas * fittedChangeError(noise, k) && change >= (c.logScale ? FIT.minLogTailDrop : 0.01 * c.range);
    // The tail fell by a good share of the run's progress (below it, the curve has flattened), read in the metric's own
    // units as a plot shows it: on the log scale a loss creeping from 0.05 to 0.03 after falling from 2.3 is a large
    // share of the progress, yet people who read the curve see it flat, and call the run converged.
    const share = linearShare(c);
    const sizeable = share >= FIT.minShareOfProgress;
    const still = beyondNoise(drop) && sizeable;
    // A tail that got worse did not "flatten": say it stopped improving (overfitting or divergence say why).
    const worse = beyondNoise(-drop);
    // A tail that fell a good share of the run's progress, but no more than its own noise can fake, has not been shown
    // to have flattened either: say what was seen, not "flattened".
    const noisyFall = sizeable && !still && !worse;
    const passTitle = worse
      ? `${c.name} stopped improving before the end (it got worse over the last part)`
      : noisyFall
        ? `${c.name} trended down over the last part, but by no more than its noise: no clear sign it was still improving`
        : `${c.name} has flattened by the end`;
    if (!still) return itemOf(this, 'pass', passTitle, '', { series: c.name, tailChange: Number((-drop).toPrecision(3)) });
    const perUnit = -t.slope;
    // Next 1 %: on the log scale a 1 % better value is a step of ln(1/0.99); on a linear scale 1 % of the level.
    const need = c.logScale ? Math.log(1 / 0.99) : 0.01 * Math.abs(c.s[c.s.length - 1]);
    const more = perUnit > 0 ? Math.ceil(need / perUnit) : null;
    const unit = t.unit;
    // Faster than 1 % per epoch (or step), "about 1 more per 1 %" would understate it: say it takes less than one.
    const pace = more === null ? null : need / perUnit < 1 ? `less than one ${unit}` : `about ${more} ${unit}${more === 1 ? '' : 's'}`;
    return itemOf(
      this,
      'warn',
      `${c.name} was still improving at the end${pace ? ` (the next 1 % in ${pace})` : ''}`,
      `Give it more ${unit}s: the curve had not flattened${pace ? `; at the current rate the next 1 % takes ${pace}` : ''}.`,
      {
        series: c.name,
        tailFrom: Math.round(c.x[t.from]),
        tailImprovementShare: Number(share.toFixed(3)),
        ratePerUnit: Number((c.logScale ? 1 - Math.exp(-perUnit) : perUnit).toPrecision(3)),
        rateIsRelative: c.logScale,
        unit,
        moreForNextPercent: more,
      },
      [{ series: c.name, step: Math.round(c.x[t.from]), toStep: Math.round(c.x[c.x.length - 1]), label: 'still improving', kind: 'band' }],
    );
  },
};

/** The tail's fall as a share of the run's progress, both in the metric's own units (as a plot shows them). */
function linearShare(c: Curve): number {
  const sign = c.direction === 'lower' ? 1 : -1;
  const bad = Float64Array.from(c.s, (v) => sign * v);
  const tail = tailTrend(c, TAIL_FRACTION, undefined, bad);
  const head = median(Array.from(bad.subarray(0, Math.min(HEAD_POINTS, bad.length))));
  let min = Infinity;
  for (const v of bad) if (v < min) min = v;
  const total = head - min;
  return total > 0 && tail ? -tail.change / total : 0;
}
