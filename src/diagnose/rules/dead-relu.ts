/** dead_relu: ReLU units that never activate on the probe batch no longer learn. */
import type { Rule } from './rule.ts';
import { judgeUnitFractions } from './unit-fraction-rule.ts';

export const WARN_FRACTION = 0.2;
export const FAIL_FRACTION = 0.5;

export const deadReluRule: Rule = {
  id: 'dead_relu',
  area: 'architecture',
  check({ context }) {
    return judgeUnitFractions(this, context.instrumentation?.deadReluFraction, { warn: WARN_FRACTION, fail: FAIL_FRACTION }, {
      label: 'dead-ReLU',
      what: 'dead (never active)',
      noLayers: 'No ReLU layers to check: no unit can die',
      needs: 'Run with instrumentation (dead-ReLU fraction per layer) to check for dead units.',
      fix: 'Lower the learning rate, use LeakyReLU/GELU, He initialisation, or batch normalisation before the activation.',
    });
  },
};
