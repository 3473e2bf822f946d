/**
 * The running state behind a run's epoch count, kept in the runs table (migrations 6 and 13) so an append costs its
 * own points instead of a reload of every stored step and epoch. It keeps the bounds src/domain/epochs.ts counts
 * from (smallest and largest epoch, whether any is fractional), so the stored count and first epoch are the ones
 * epochSpan gives over the whole run.
 */
import { EpochScan, spanOf, type EpochSource } from '../domain/epochs.ts';

/** The runs table's epoch columns. */
export interface StoredEpochs {
  /** The epoch count (the `epochs` column). */
  epochs: number | null;
  epochMin: number | null;
  epochMax: number | null;
  /** 1 when any epoch is fractional. */
  epochFrac: number;
  /** 1 when the smallest epoch is 0; kept for readers of the table from before migration 13. */
  epochZero: number;
}

export class EpochTally {
  constructor(private readonly scan: EpochScan = new EpochScan()) {}

  /** Restores the state stored in the runs table. */
  static of(epochMin: number | null, epochMax: number | null, epochFrac: number): EpochTally {
    const bounds = epochMin === null || epochMax === null ? null : { min: epochMin, max: epochMax, fractional: epochFrac !== 0 };
    return new EpochTally(EpochScan.of(bounds));
  }

  /** Adds the points of (a piece of) one series. */
  add(s: EpochSource): void {
    this.scan.add(s);
  }

  /** The run's epoch count, as countEpochs gives it. */
  get count(): number | null {
    return spanOf(this.scan.bounds)?.count ?? null;
  }

  get stored(): StoredEpochs {
    const b = this.scan.bounds;
    return { epochs: this.count, epochMin: b?.min ?? null, epochMax: b?.max ?? null, epochFrac: b?.fractional ? 1 : 0, epochZero: b?.min === 0 ? 1 : 0 };
  }
}

/** The first epoch of a stored run, from its runs-table columns (what RunSummary.firstEpoch says). */
export function firstEpochOf(epochMin: number | null, epochMax: number | null, epochFrac: number): number | null {
  if (epochMin === null || epochMax === null) return null;
  return spanOf({ min: epochMin, max: epochMax, fractional: epochFrac !== 0 })?.first ?? null;
}
