/**
 * The learning-rate range tests (lrfind) already run, by what they tested, kept in the database so that "Rerun with
 * fix" in any process (a restarted bot, another shard, the process a /lrfind did not run in) takes the rate they
 * suggested instead of running the test again. An interface so the SQL stays in src/store/ (sqlite- and
 * pg-range-test-store.ts, the lr_find_results table of migration 12); MemoryRangeTestStore for a process without one.
 */

/** Who ran the range test a rate came from. */
export type RangeTestOrigin = 'lrfind' | 'rerun';

export interface StoredRangeTest {
  /** The suggested learning rate (> 0). */
  rate: number;
  origin: RangeTestOrigin;
  /** ms since the Unix epoch. */
  createdAt: number;
}

export interface RangeTestStore {
  /** The latest range test of `key` (see rangeTestKeyOf), or null. */
  get(key: string): Promise<StoredRangeTest | null>;
  /** Records (or replaces) the suggestion for `key`; only the newest MAX_KEPT_RANGE_TESTS keys are kept. */
  put(key: string, test: StoredRangeTest): Promise<void>;
}

/** Results kept: the oldest go beyond this (a range test is seconds of work; the table stays small). */
export const MAX_KEPT_RANGE_TESTS = 1000;

/** In memory, for tests and processes without a database: the same contract, gone with the process. */
export class MemoryRangeTestStore implements RangeTestStore {
  private readonly kept = new Map<string, StoredRangeTest>();

  async get(key: string): Promise<StoredRangeTest | null> {
    return this.kept.get(key) ?? null;
  }

  async put(key: string, test: StoredRangeTest): Promise<void> {
    this.kept.delete(key);
    this.kept.set(key, { ...test });
    for (const k of this.kept.keys()) {
      if (this.kept.size <= MAX_KEPT_RANGE_TESTS) break;
      this.kept.delete(k);
    }
  }
}
