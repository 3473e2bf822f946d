/** saturation: sigmoid/tanh units stuck at their flat ends pass (almost) no gradient. */
import type { Rule } from './rule.ts';
import { judgeUnitFractions } from './unit-fraction-rule.ts';

export const WARN_FRACTION = 0.2;
export const FAIL_FRACTION = 0.5;

export const saturationRule: Rule = {
  id: 'saturation',
  area: 'architecture',
  check({ context }) {
    return judgeUnitFractions(this, context.instrumentation?.saturatedFraction, { warn: WARN_FRACTION, fail: FAIL_FRACTION }, {
      label: 'saturation',
      what: 'saturated',
      noLayers: 'No sigmoid/tanh hidden layers to check: nothing here can saturate',
      needs: 'Run with instrumentation (saturated sigmoid/tanh fraction per layer) to check for saturation.',
      fix: 'Normalise inputs, use Xavier initialisation, batch normalisation, or switch hidden layers to ReLU-family activations.',
    });
  },
};
