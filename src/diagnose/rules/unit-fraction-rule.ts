/** Shared shape of dead_relu and saturation: a per-layer fraction of broken units, judged at the last epoch. */
import type { Area, VerdictItem } from '../../domain/verdict.ts';
import { itemOf, unknownItem } from './rule.ts';

export interface FractionThresholds {
  warn: number;
  fail: number;
}

export function judgeUnitFractions(
  rule: { id: string; area: Area },
  fractions: Record<string, number[]> | undefined,
  t: FractionThresholds,
  text: { label: string; what: string; needs: string; fix: string; /** Title when instrumentation ran and found no layer of the kind. */ noLayers: string },
): VerdictItem {
  const layers = fractions ? Object.entries(fractions).filter(([, v]) => v.length > 0) : [];
  // An instrumented run reports an empty map when the model has no layer of the kind: nothing can be affected.
  if (layers.length === 0 && fractions) return itemOf(rule, 'pass', text.noLayers, '', { layersChecked: 0 });
  if (layers.length === 0) return unknownItem(rule, `No ${text.label} statistics`, text.needs);
  const last = layers.map(([name, v]) => ({ name, fraction: v[v.length - 1] })).sort((a, b) => b.fraction - a.fraction);
  const worst = last[0];
  const evidence = { worstLayer: worst.name, fraction: Number(worst.fraction.toFixed(3)), layers: Object.fromEntries(last.map((l) => [l.name, Number(l.fraction.toFixed(3))])) };
  if (worst.fraction >= t.fail) return itemOf(rule, 'fail', `${Math.round(worst.fraction * 100)} % of units in ${worst.name} are ${text.what}`, text.fix, evidence);
  if (worst.fraction >= t.warn) return itemOf(rule, 'warn', `${Math.round(worst.fraction * 100)} % of units in ${worst.name} are ${text.what}`, text.fix, evidence);
  return itemOf(rule, 'pass', `At most ${Math.round(worst.fraction * 100)} % of units are ${text.what}`, '', evidence);
}
