/** Pure checks over DatasetStats: each returns its figures, or null when the stats needed are missing. */
import type { DatasetStats } from '../domain/context.ts';

export interface ClassBalance {
  classes: number;
  majority: string;
  minority: string;
  majorityCount: number;
  minorityCount: number;
  /** majority / minority count (Infinity when a class has no examples). */
  imbalanceRatio: number;
  /** Share of the majority class: the accuracy of always predicting it. */
  majorityShare: number;
}

export function classBalance(stats: DatasetStats | undefined): ClassBalance | null {
  const counts = stats?.classCounts;
  if (!counts) return null;
  const entries = Object.entries(counts);
  if (entries.length < 2) return null;
  entries.sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((s, [, c]) => s + c, 0);
  const [majority, majorityCount] = entries[0];
  const [minority, minorityCount] = entries[entries.length - 1];
  return {
    classes: entries.length,
    majority,
    minority,
    majorityCount,
    minorityCount,
    imbalanceRatio: minorityCount > 0 ? majorityCount / minorityCount : Infinity,
    majorityShare: total > 0 ? majorityCount / total : 0,
  };
}

/** Share `part / whole`, null when either is unknown or whole is 0. */
export function shareOf(part: number | undefined, whole: number | undefined): number | null {
  if (part === undefined || whole === undefined || whole <= 0) return null;
  return part / whole;
}

/** Training-set size: trainSize, else the sum of class counts. */
export function trainSizeOf(stats: DatasetStats | undefined): number | null {
  if (!stats) return null;
  if (stats.trainSize !== undefined) return stats.trainSize;
  if (stats.classCounts) return Object.values(stats.classCounts).reduce((a, b) => a + b, 0);
  return null;
}

export interface InputScale {
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  /** Largest magnitude an input reaches (max |min|, |max|), null when unknown. */
  maxAbs: number | null;
}

export function inputScale(stats: DatasetStats | undefined): InputScale | null {
  if (!stats) return null;
  const { inputMin, inputMax, inputMean, inputStd } = stats;
  if ([inputMin, inputMax, inputMean, inputStd].every((v) => v === undefined)) return null;
  const ext = [inputMin, inputMax].filter((v): v is number => v !== undefined).map(Math.abs);
  return { min: inputMin ?? null, max: inputMax ?? null, mean: inputMean ?? null, std: inputStd ?? null, maxAbs: ext.length ? Math.max(...ext) : null };
}
