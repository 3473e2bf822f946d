/**
 * A run's epochs, one definition for every face: the engine's verdict, the store's tally (its runs table keeps the
 * bounds below as running state) and every place that prints "30 epochs". Pure.
 *
 * What users read is what the log shows: the whole epochs from the first logged to the last, in the log's own
 * numbering. A log numbered from 0 or 1 says a count ("30 epochs"); one whose numbering starts later (a resumed run,
 * a CSV whose first rows are gone, a logger writing every 25th epoch) says its range ("epochs 24–55") instead of a
 * count from 0 that nobody trained or logged.
 */
import type { Cadence, Series } from './run.ts';

/** The raw bounds of a run's epoch numbers: all a count needs, and small enough to keep as running state. */
export interface EpochBounds {
  min: number;
  max: number;
  /** Some epoch is fractional (Hugging Face's 0.05 … 2.97, step-level epochs): progress in epochs, not an index. */
  fractional: boolean;
}

/** The whole epochs a run's log covers, as the log numbers them; `count` = last − first + 1. */
export interface EpochSpan {
  first: number;
  last: number;
  count: number;
}

/** The columns of (a piece of) one series that epochs are read from: its epoch column, else an epoch-cadence series' steps. */
export interface EpochSource {
  cadence: Cadence;
  steps: ArrayLike<number>;
  epochs: ArrayLike<number> | null;
}

/** Running bounds over series added one piece at a time (the store's appends); NaN and ±Infinity are not epochs. */
export class EpochScan {
  /** min > max while no epoch has been seen. */
  min = Infinity;
  max = -Infinity;
  fractional = false;

  static of(bounds: EpochBounds | null): EpochScan {
    const scan = new EpochScan();
    if (bounds) Object.assign(scan, bounds);
    return scan;
  }

  add(s: EpochSource): void {
    const e = s.epochs ?? (s.cadence === 'epoch' ? s.steps : null);
    if (!e) return;
    // An indexed loop: a million-point column must cost a few milliseconds, not an iterator's tens.
    for (let i = 0; i < e.length; i++) {
      const v = e[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      if (!this.fractional && v !== Math.floor(v)) this.fractional = true;
    }
  }

  get bounds(): EpochBounds | null {
    return this.min <= this.max ? { min: this.min, max: this.max, fractional: this.fractional } : null;
  }
}

export function epochBounds(series: readonly EpochSource[]): EpochBounds | null {
  const scan = new EpochScan();
  for (const s of series) scan.add(s);
  return scan.bounds;
}

/**
 * Whole epochs from bounds. Integer epochs are indices as logged (Keras and Lightning count from 0, most others from
 * 1). Fractional epochs are progress: 2.97 is in the 3rd epoch and 3.0 ends it, so the first whole epoch is
 * ⌊min⌋ + 1 and the last ⌈max⌉ (Hugging Face's 0.05 … 38.17 is 39 epochs, numbered from 1).
 */
export function spanOf(b: EpochBounds | null): EpochSpan | null {
  if (!b) return null;
  const first = b.fractional ? Math.floor(b.min) + 1 : b.min;
  const last = b.fractional ? Math.max(first, Math.ceil(b.max)) : b.max;
  return { first, last, count: last - first + 1 };
}

export function epochSpan(series: readonly EpochSource[]): EpochSpan | null {
  return spanOf(epochBounds(series));
}

/** The number of whole epochs a run's log covers (first to last logged); null when it has no epochs. */
export function countEpochs(series: readonly EpochSource[]): number | null {
  return epochSpan(series)?.count ?? null;
}

/** A count from the store or a verdict, and the first epoch when known (absent or null: counted from 0 or 1). */
export interface EpochFacts {
  epochs: number | null;
  firstEpoch?: number | null;
}

/** The range to print when the numbering does not start at 0 or 1; null when a count says it. */
function rangeOf(f: EpochFacts): { first: number; last: number } | null {
  if (f.epochs === null || f.firstEpoch === undefined || f.firstEpoch === null) return null;
  if (f.firstEpoch === 0 || f.firstEpoch === 1) return null;
  return { first: f.firstEpoch, last: f.firstEpoch + f.epochs - 1 };
}

/** "30 epochs", "1 epoch", "epochs 24–55", "epoch 24"; null when the log has no epochs. */
export function describeEpochs(f: EpochFacts): string | null {
  if (f.epochs === null) return null;
  const r = rangeOf(f);
  if (!r) return `${f.epochs} epoch${f.epochs === 1 ? '' : 's'}`;
  return r.first === r.last ? `epoch ${r.first}` : `epochs ${r.first}–${r.last}`;
}

/** For a table column headed "epochs": "30", "24–55", "24"; null when the log has no epochs. */
export function epochsCell(f: EpochFacts): string | null {
  if (f.epochs === null) return null;
  const r = rangeOf(f);
  if (!r) return String(f.epochs);
  return r.first === r.last ? String(r.first) : `${r.first}–${r.last}`;
}
