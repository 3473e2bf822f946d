/** Gradient-norm views shared by exploding_gradients and vanishing_gradients. */
import type { Instrumentation } from '../../domain/context.ts';

/** Per epoch, the largest gradient norm over layers (NaN where no layer reports). */
export function maxNormPerEpoch(inst: Instrumentation | undefined): number[] | null {
  const g = inst?.gradNorms;
  if (!g) return null;
  const layers = Object.values(g);
  if (layers.length === 0) return null;
  const epochs = Math.max(...layers.map((l) => l.length));
  const out: number[] = [];
  for (let e = 0; e < epochs; e++) {
    let m = NaN;
    let nonFinite = false;
    for (const l of layers) {
      const v = l[e];
      if (v === undefined) continue;
      if (!Number.isFinite(v)) nonFinite = true;
      else if (!(v <= m)) m = v;
    }
    out.push(nonFinite ? Infinity : m);
  }
  return out;
}
