/**
 * The running state behind a run's epoch count, kept in the runs table (migration 6) so an append costs its own
 * points instead of a reload of every stored step and epoch. It counts what countEpochs (ingest/series-builder.ts)
 * counts over a whole run: the largest epoch seen (+1 when epochs are 0-based), using a series' epoch column when it
 * has one, else the steps of an epoch-cadence series (whose first step tells 0- or 1-based).
 */
import type { Cadence } from '../domain/run.ts';

/** The columns of a piece of one series that the count reads (one point per index). */
export interface EpochPiece {
  cadence: Cadence;
  steps: ArrayLike<number>;
  epochs: ArrayLike<number> | null;
}

export class EpochTally {
  /** The largest epoch seen; -Infinity when none (stored as NULL). */
  max = -Infinity;
  zeroBased = false;

  /** Restores the state stored in the runs table. */
  static of(epochMax: number | null, epochZero: number): EpochTally {
    const t = new EpochTally();
    t.max = epochMax ?? -Infinity;
    t.zeroBased = epochZero !== 0;
    return t;
  }

  /**
   * Adds the points of one series. `seriesStart`: the piece begins the series (a new series, or one with no points
   * yet), so the first step of an epoch-cadence series without epochs says whether epochs count from 0.
   */
  add(s: EpochPiece, seriesStart: boolean): void {
    if (s.epochs) {
      const e = s.epochs;
      for (let i = 0; i < e.length; i++) {
        const v = e[i]!;
        if (Number.isNaN(v)) continue;
        if (v === 0) this.zeroBased = true;
        if (v > this.max) this.max = v;
      }
    } else if (s.cadence === 'epoch') {
      const st = s.steps;
      if (seriesStart && st.length && st[0] === 0) this.zeroBased = true;
      for (let i = 0; i < st.length; i++) if (st[i]! > this.max) this.max = st[i]!;
    }
  }

  /** The run's epoch count, as countEpochs gives it. */
  get count(): number | null {
    if (!Number.isFinite(this.max)) return null;
    return Math.round(this.zeroBased ? this.max + 1 : this.max);
  }

  /** The values for the runs table's epoch_max and epoch_zero columns. */
  get stored(): { epochMax: number | null; epochZero: number } {
    return { epochMax: this.max === -Infinity ? null : this.max, epochZero: this.zeroBased ? 1 : 0 };
  }
}
