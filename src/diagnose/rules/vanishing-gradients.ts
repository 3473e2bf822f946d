/**
 * vanishing_gradients: the first layers get gradients orders of magnitude smaller than the last ones (or none):
 * they barely learn. Needs per-layer gradient norms (instrumentation), listed input → output.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { fmt } from './shared.ts';
import { median } from '../signals/stats.ts';
import { FAIL_FRACTION as DEAD_FAIL_FRACTION } from './dead-relu.ts';

/** First-layer / last-layer gradient-norm ratio below this: fail; below WARN_RATIO: warn. */
export const FAIL_RATIO = 1e-4;
export const WARN_RATIO = 1e-2;
/** Norms below this are zero for practical purposes. */
export const TINY_NORM = 1e-10;

export const vanishingGradientsRule: Rule = {
  id: 'vanishing_gradients',
  area: 'architecture',
  check({ context }) {
    const g = context.instrumentation?.gradNorms;
    const layers = g ? Object.entries(g).filter(([, v]) => v.length > 0) : [];
    if (layers.length < 2) return unknownItem(this, 'No per-layer gradient norms', 'Run with instrumentation (per-layer gradient norms) to check for vanishing gradients.');
    const level = (v: number[]) => median(v.slice(Math.max(0, v.length - 3)));
    const first = level(layers[0][1]);
    const last = level(layers[layers.length - 1][1]);
    const ratio = last > 0 ? first / last : 1;
    const evidence = { firstLayer: layers[0][0], lastLayer: layers[layers.length - 1][0], firstNorm: first, lastNorm: last, ratio: Number(ratio.toPrecision(3)) };
    // No gradient anywhere is not a depth problem: the network stopped learning (after a blow-up, or all units dead).
    if (first < TINY_NORM && last < TINY_NORM) {
      return itemOf(this, 'fail', `No layer gets a gradient any more (${layers[0][0]} to ${layers[layers.length - 1][0]} all ≈ 0): the network stopped learning`, 'Usually the aftermath of a divergence or of dead units (see those items): lower the learning rate first, then check the initialisation.', evidence);
    }
    // A dead ReLU layer passes no gradient back, so the layers before it starve whatever the depth: that is the
    // dead units' effect, and the depth remedies (batch norm, residuals) would not address it.
    const dead = Object.entries(context.instrumentation?.deadReluFraction ?? {})
      .map(([name, v]) => [name, v.length ? v[v.length - 1] : 0] as const)
      .filter(([, f]) => f >= DEAD_FAIL_FRACTION)
      .sort((a, b) => b[1] - a[1]);
    if ((first < TINY_NORM || ratio < FAIL_RATIO) && dead.length) {
      const [name, f] = dead[0];
      return itemOf(
        this,
        'warn',
        `Layer ${layers[0][0]} gets ${first < TINY_NORM ? 'no gradient' : `${ratio.toExponential(1)}× the gradient of ${layers[layers.length - 1][0]}`}: ${Math.round(f * 100)} % of the units in ${name} are dead and pass none back (see dead_relu)`,
        'Revive the units first (see dead_relu and lr_too_high: usually a lower learning rate); the gradient comes back with them.',
        { ...evidence, deadLayer: name, deadFraction: Number(f.toFixed(3)), deferredTo: 'dead_relu' },
      );
    }
    if (first < TINY_NORM || ratio < FAIL_RATIO) return itemOf(this, 'fail', first < TINY_NORM ? `Layer ${layers[0][0]} gets no gradient (${layers[layers.length - 1][0]} gets ${fmt(last)})` : `Layer ${layers[0][0]} gets ${ratio.toExponential(1)}× the gradient of ${layers[layers.length - 1][0]}`, 'Use ReLU-family activations, He/Xavier initialisation, batch normalisation or residual connections; avoid deep sigmoid/tanh stacks.', evidence);
    if (ratio < WARN_RATIO) return itemOf(this, 'warn', `Early layers get ${ratio.toExponential(1)}× the gradient of the last`, 'Consider batch normalisation, residual connections or a better initialisation.', evidence);
    return itemOf(this, 'pass', 'Gradients reach the first layers', '', evidence);
  },
};
