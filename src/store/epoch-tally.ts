/**
 * The running state behind a run's epoch count, kept in the runs table (migrations 6 and 13) so an append costs its
 * own points instead of a reload of every stored step and epoch. It keeps the bounds src/domain/epochs.ts counts
 * from (smallest and largest epoch, whether any is fractional), so the stored count and first epoch are the ones
 * epochSpan gives over the whole run.
 */
import { EpochScan, spanOf, type EpochSource } from '../domain/epochs.ts';
import { decodeColumnInto } from './column-codec.ts';

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

  /**
   * Adds one stored series, its chunks' columns decoded: the epoch column when any chunk stored one (chunks without it
   * are unknown there), else the steps of an epoch-cadence series. The migrations' backfill reads stored runs so.
   */
  addStored(cadence: 'epoch' | 'step', chunks: ReadonlyArray<{ n: number; steps: Uint8Array; epochs: Uint8Array | null }>): void {
    if (cadence !== 'epoch' && chunks.every((c) => c.epochs === null)) return;
    const n = chunks.reduce((a, c) => a + c.n, 0);
    const hasEpochs = chunks.some((c) => c.epochs !== null);
    const steps = new Float64Array(hasEpochs ? 0 : n);
    const epochs = hasEpochs ? new Float64Array(n) : null;
    let at = 0;
    for (const c of chunks) {
      if (epochs) decodeColumnInto(c.epochs, c.n, epochs, at);
      else decodeColumnInto(c.steps, c.n, steps, at);
      at += c.n;
    }
    this.add({ cadence, steps, epochs });
  }

  /** The run's epoch count, as epochSpan (src/domain/epochs.ts) gives it over the whole run. */
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
