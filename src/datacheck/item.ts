/** One item of the data checklist: the same shape and ids as the engine's data items (DESIGN.md's stable ids). */

export type DataCheckStatus = 'pass' | 'warn' | 'fail' | 'unknown';

export interface DataCheckItem {
  /** Stable id: class_imbalance, duplicates, near_duplicates, leakage, label_conflicts, unnormalized_inputs, too_little_data, label_noise. */
  id: string;
  /** The item's plain name ("Class balance"). */
  title: string;
  status: DataCheckStatus;
  /** One sentence with the numbers that matter. */
  summary: string;
  /** What to do, when the status is warn or fail (or what would let an unknown item run). */
  fix?: string;
  /** The figures behind the sentence. */
  evidence: Record<string, unknown>;
  /** Up to a few examples named as the file names them ("line 12", "cat/3.png"), for the reader to look at. */
  examples?: string[];
}

export const STATUS_ORDER: Record<DataCheckStatus, number> = { fail: 0, warn: 1, unknown: 2, pass: 3 };

/** How many example names an item lists. */
export const MAX_EXAMPLE_NAMES = 5;

export function pct(share: number): string {
  if (share === 0) return '0 %';
  const p = share * 100;
  return `${p < 0.1 ? p.toPrecision(1) : p < 10 ? p.toFixed(1) : p.toFixed(0)} %`;
}

export { plural } from '../plural.ts';
