/**
 * loss_spikes: isolated spikes in the training loss (up, then back down within a few points). Judged against the
 * curve's own spread of residuals, so ordinary batch-to-batch noise is never a spike.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { Mark } from '../../domain/verdict.ts';
import { medianFilter } from '../signals/smoothing.ts';
import { median, robustSd } from '../signals/stats.ts';
import { fmt, whenAt } from './shared.ts';

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - spikeSigmas: Residual above the running median, in robust standard deviations of all residuals.
 * - minLogSpike: And at least this factor above the local level (log scale: ×2).
 * - minSpikes: At least this many such spikes: one high batch is an accident, a recurring one a pattern worth a fix
 *   (one ×2–3 point was the rule's commonest false alarm on the corpus, beside an early collapse or a rate too high).
 */
export const FIT = { spikeSigmas: 13, minLogSpike: 1.94, minSpikes: 3, falseAlarms: 0.0025 };
/** The curve must be back within half the spike this many points later ("isolated"). */
export const RETURN_WITHIN = 3;
/** Width of the running median the residuals are taken from. */
export const WINDOW = 9;
/** On a linear scale (losses that reach 0), a spike must also be this share of the curve's full span: visible on the plot. */
export const MIN_SPAN_SHARE = 0.05;
/** Spikes in the first share of the run are the fast initial descent, not spikes. */
export const SKIP_START_SHARE = 0.05;
/**
 * A spike must also stand out from its own neighbourhood's noise: the robust spread of residuals within this share of
 * the curve on each side (at least LOCAL_MIN_HALF points). Batch noise is rarely even over a run: during the fast
 * descent a loss routinely moves ×2 from batch to batch, then settles to a few per cent; measured against the whole
 * run's (quiet) spread, an ordinary jump of the noisy phase would count as a spike.
 */
export const LOCAL_HALF_SHARE = 0.05;
export const LOCAL_MIN_HALF = 10;

/**
 * Robust spread of `res` around each point: the larger of the spreads just before and just after it (`half` points
 * each side), so a point at the edge of a noisy phase is judged by the noisy side. O(n·half·log half), allocation-free
 * per point (this runs on every diagnosis).
 */
export function localSpread(res: Float64Array, half: number): Float64Array {
  const n = res.length;
  const out = new Float64Array(n);
  const a = new Float64Array(half);
  const spread = (from: number, to: number): number => {
    const m = to - from;
    if (m < 3) return 0;
    const w = a.subarray(0, m);
    w.set(res.subarray(from, to));
    w.sort();
    const med = middle(w);
    for (let k = 0; k < m; k++) w[k] = Math.abs(w[k] - med);
    w.sort();
    return 1.4826 * middle(w);
  };
  for (let i = 0; i < n; i++) out[i] = Math.max(spread(Math.max(0, i - half), i), spread(i + 1, Math.min(n, i + half + 1)));
  return out;
}

/** Median of a sorted array. */
function middle(w: Float64Array): number {
  const h = w.length >> 1;
  return w.length % 2 ? w[h] : (w[h - 1] + w[h]) / 2;
}

export const lossSpikesRule: Rule = {
  id: 'loss_spikes',
  area: 'training',
  check({ view }) {
    const c = view.trainLoss;
    if (!c || c.y.length < 20) return unknownItem(this, 'Not enough training-loss points to look for spikes', 'Log the training loss at least 20 times (per step is best).');
    // Bin maxima when downsampled: a one-step spike lives in the bin max, not the bin mean.
    const peak = c.binSize > 1 ? c.yMax.map(c.scale.toBadness) : c.ty;
    const base = medianFilter(c.ty, WINDOW);
    const n = peak.length;
    const res = new Float64Array(n);
    for (let i = 0; i < n; i++) res[i] = peak[i] - base[i];
    const centre = median(res);
    const spread = robustSd(res) || 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      if (peak[i] > hi) hi = peak[i];
      if (c.ty[i] < lo) lo = c.ty[i];
    }
    const minLinear = MIN_SPAN_SHARE * (hi - lo);
    const local = localSpread(res, Math.max(LOCAL_MIN_HALF, Math.round(n * LOCAL_HALF_SHARE)));
    const spikes: number[] = [];
    for (let i = Math.ceil(n * SKIP_START_SHARE); i < n; i++) {
      const r = res[i] - centre;
      if (r < FIT.spikeSigmas * Math.max(spread, local[i]) || (c.logScale ? res[i] < FIT.minLogSpike : res[i] < minLinear)) continue;
      const j = Math.min(n - 1, i + RETURN_WITHIN);
      if (j === i || c.ty[j] - base[j] > res[i] / 2) continue;
      spikes.push(i);
    }
    if (spikes.length === 0) return itemOf(this, 'pass', 'No isolated spikes in the training loss', '', { series: c.name });
    if (spikes.length < FIT.minSpikes) {
      return itemOf(this, 'pass', `One isolated spike in ${c.name} (${c.logScale ? `×${Math.exp(res[spikes[0]!]).toFixed(1)} ` : ''}at step ${whenAt(c, spikes[0]!).step}): an accident, not a pattern`, '', { series: c.name, spikes: spikes.length });
    }
    const marks: Mark[] = spikes.slice(0, 10).map((i) => ({ series: c.name, step: whenAt(c, i).step, label: 'spike', kind: 'point', value: Number((c.binSize > 1 ? c.yMax[i] : c.y[i]).toPrecision(4)) }));
    const worst = spikes.reduce((a, b) => (res[b] > res[a] ? b : a));
    return itemOf(
      this,
      'warn',
      `${spikes.length} isolated spike${spikes.length > 1 ? 's' : ''} in ${c.name} (worst ×${fmt(Math.exp(res[worst]))} at step ${whenAt(c, worst).step})`,
      'Spikes come from bad batches or a learning rate at the edge of stability: add gradient clipping, lower the learning rate or increase the batch size, and check the data for outliers.',
      { series: c.name, spikes: spikes.length, steps: spikes.slice(0, 10).map((i) => whenAt(c, i).step), worstFactor: c.logScale ? Number(Math.exp(res[worst]).toFixed(2)) : null },
      marks,
    );
  },
};
