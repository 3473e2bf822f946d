/**
 * exploding_gradients: gradient norms that blow up (non-finite, or growing by orders of magnitude). Uses the
 * instrumentation's per-layer norms, or a logged grad_norm series (Hugging Face logs one).
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { maxNormPerEpoch } from './gradient-stats.ts';
import { median } from '../signals/stats.ts';

/** Share of non-finite norms above which (or a non-finite last norm) NaN gradients are a failure; fewer are the
 * skipped steps of a mixed-precision loss scaler, a warning. */
export const NON_FINITE_FAIL_SHARE = 0.05;
/** Below this share, with a finite last norm, non-finite norms are the steps a mixed-precision loss scaler skips by
 * design (it halves its scale and retries): normal operation, not a finding. */
export const LOSS_SCALER_SHARE = 0.01;
/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 * - failGrowth: Growth of the (smoothed) norm over its early level: fail / warn.
 */
export const FIT = { warnGrowth: 10, failGrowth: 100, falseAlarms: 0 };
/** A training loss that fell this much (log scale: ≈ 10 %) from its first to its last fifth explains a growing norm. */
export const LOSS_FELL = 0.1;

function growth(values: ArrayLike<number>): { growth: number; nonFinite: number; lastNonFinite: boolean; early: number; late: number } {
  const v = Array.from(values);
  const nonFinite = v.filter((x) => !Number.isFinite(x)).length / Math.max(1, v.length);
  const lastNonFinite = v.length > 0 && !Number.isFinite(v[v.length - 1]);
  const f = v.filter(Number.isFinite);
  if (f.length < 3) return { growth: 1, nonFinite, lastNonFinite, early: NaN, late: NaN };
  const k = Math.max(1, Math.floor(f.length * 0.2));
  // Compare the late level with the lowest early level: warm-up makes the very first norms unrepresentative.
  const early = Math.min(median(f.slice(0, k)), median(f.slice(k, 2 * k)) || Infinity);
  const late = median(f.slice(f.length - k));
  return { growth: early > 0 ? late / early : 1, nonFinite, lastNonFinite, early, late };
}

export const explodingGradientsRule: Rule = {
  id: 'exploding_gradients',
  area: 'architecture',
  check({ view, context }) {
    const inst = maxNormPerEpoch(context.instrumentation);
    const series = inst ?? (view.gradNorm ? Array.from(view.gradNorm.source.values) : null);
    if (!series) return unknownItem(this, 'No gradient norms', 'Log the gradient norm (grad_norm) or run with instrumentation to check for exploding gradients.');
    const g = growth(series);
    const evidence = { source: inst ? 'instrumentation' : view.gradNorm!.name, earlyNorm: Number(g.early.toPrecision(3)), lateNorm: Number(g.late.toPrecision(3)), growth: Number(g.growth.toPrecision(3)), nonFiniteShare: Number(g.nonFinite.toFixed(4)) };
    if (g.lastNonFinite || g.nonFinite >= NON_FINITE_FAIL_SHARE) return itemOf(this, 'fail', 'Gradient norm became NaN/Inf', 'Clip gradients (clipnorm=1.0), lower the learning rate, check the loss for log(0).', evidence);
    if (g.nonFinite > 0 && g.nonFinite < LOSS_SCALER_SHARE && g.growth < FIT.warnGrowth) {
      return itemOf(this, 'pass', `Gradient norms stay bounded; ${(g.nonFinite * 100).toFixed(1)} % of steps had a NaN/Inf norm, as a mixed-precision loss scaler's skipped steps do`, '', evidence);
    }
    if (g.nonFinite > 0) return itemOf(this, 'warn', `A few gradient norms are NaN/Inf (${(g.nonFinite * 100).toFixed(1)} % of steps)`, 'Occasional NaN gradients are usually steps skipped by a mixed-precision loss scaler; if they recur, clip gradients or lower the learning rate.', evidence);
    if (g.growth >= FIT.failGrowth) return itemOf(this, 'fail', `Gradient norm grew ${Math.round(g.growth)}×`, 'Clip gradients, lower the learning rate, add normalisation layers or residual connections.', evidence);
    if (g.growth >= FIT.warnGrowth) {
      // A norm that grows while the loss keeps falling is a model fitting (a transformer's norm grows 10–50× as its
      // logits sharpen, in every healthy Trainer run of the corpus); growth beside a loss that stopped falling is not.
      const loss = view.trainLoss ? Array.from(view.trainLoss.ts).filter(Number.isFinite) : [];
      const k = Math.max(1, Math.floor(loss.length * 0.2));
      const early = median(loss.slice(0, k));
      const late = median(loss.slice(loss.length - k));
      // On the judging scale (log for a positive loss): a fall of LOSS_FELL (≈ 10 %), beyond a flat curve's noise.
      const lossFell = loss.length >= 5 && early - late > (view.trainLoss!.scale.log ? LOSS_FELL : LOSS_FELL * Math.abs(early));
      if (lossFell) return itemOf(this, 'pass', `Gradient norm grew ${Math.round(g.growth)}× while the training loss kept falling: a model fitting, not exploding`, '', { ...evidence, lossFell: true });
      return itemOf(this, 'warn', `Gradient norm grew ${Math.round(g.growth)}× over the run while the training loss stopped falling`, 'Watch the learning rate; gradient clipping will keep a growing norm from turning into divergence.', evidence);
    }
    return itemOf(this, 'pass', 'Gradient norms stay bounded', '', evidence);
  },
};
