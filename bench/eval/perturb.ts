/**
 * Small perturbations of a real log, for the leave-it-out check of `npm run eval`: a decision that flips when the
 * noise around a curve's trend grows or shrinks by half was resting on a threshold, not on the shape. Pure.
 */
import type { Series } from '../../src/domain/run.ts';
import { medianFilter, smoothingWindow } from '../../src/diagnose/signals/smoothing.ts';

export interface Perturbation {
  name: string;
  apply(series: Series[]): Series[];
}

/** Above this many points the trend is a running median; below, a fall-then-rise least-squares fit (any bend, no lag). */
const UNIMODAL_MAX = 300;

/** Non-increasing least-squares fit (pool-adjacent-violators). */
function isotonicDecreasing(y: readonly number[]): number[] {
  const level: number[] = [];
  const weight: number[] = [];
  for (const v of y) {
    level.push(v);
    weight.push(1);
    while (level.length > 1 && level[level.length - 2] < level[level.length - 1]) {
      const wb = weight.pop()!;
      const b = level.pop()!;
      const wa = weight.pop()!;
      const a = level.pop()!;
      level.push((a * wa + b * wb) / (wa + wb));
      weight.push(wa + wb);
    }
  }
  const out: number[] = [];
  level.forEach((v, i) => {
    for (let k = 0; k < weight[i]; k++) out.push(v);
  });
  return out;
}

/** Best fall-then-rise fit: the trend a loss curve (falling, flat, or turning up) is perturbed around. O(n²). */
export function unimodalFit(y: readonly number[]): number[] {
  let best: number[] = [...y];
  let bestSse = Infinity;
  for (let k = 1; k <= y.length; k++) {
    const fit = [...isotonicDecreasing(y.slice(0, k)), ...isotonicDecreasing(y.slice(k).reverse()).reverse()];
    let sse = 0;
    for (let i = 0; i < y.length; i++) sse += (y[i] - fit[i]) ** 2;
    if (sse < bestSse) {
      bestSse = sse;
      best = fit;
    }
  }
  return best;
}

/** Scales the residuals of a positive series around its trend (on the log scale) by `factor`; other series unchanged. */
export function scaleNoise(s: Series, factor: number): Series {
  const idx: number[] = [];
  for (let i = 0; i < s.values.length; i++) if (Number.isFinite(s.values[i]) && s.values[i] > 0) idx.push(i);
  if (idx.length < 4 || idx.length < s.values.filter(Number.isFinite).length) return s;
  const ly = idx.map((i) => Math.log(s.values[i]));
  const trend = ly.length <= UNIMODAL_MAX ? unimodalFit(ly) : Array.from(medianFilter(ly, smoothingWindow(ly.length, 0.03)));
  const values = Float64Array.from(s.values);
  idx.forEach((i, j) => {
    values[i] = Math.exp(trend[j] + factor * (ly[j] - trend[j]));
  });
  return { ...s, values };
}

export const PERTURBATIONS: Perturbation[] = [
  { name: 'validation noise ×1.5', apply: (ss) => ss.map((s) => (s.split === 'val' && s.key === 'loss' ? scaleNoise(s, 1.5) : s)) },
  { name: 'validation noise ×0.67', apply: (ss) => ss.map((s) => (s.split === 'val' && s.key === 'loss' ? scaleNoise(s, 1 / 1.5) : s)) },
  { name: 'training noise ×1.5', apply: (ss) => ss.map((s) => (s.split === 'train' && s.key === 'loss' ? scaleNoise(s, 1.5) : s)) },
];
