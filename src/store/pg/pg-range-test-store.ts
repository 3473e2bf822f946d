/** RangeTestStore on PostgreSQL (the lr_find_results table, migration 12): one statement a write. */
import { MAX_KEPT_RANGE_TESTS, type RangeTestOrigin, type RangeTestStore, type StoredRangeTest } from '../../app/range-test-store.ts';
import type { PgPool } from './pg-database.ts';

export class PgRangeTestStore implements RangeTestStore {
  constructor(private readonly pool: PgPool) {}

  async get(key: string): Promise<StoredRangeTest | null> {
    const r = (await this.pool.query<{ suggested_lr: number; origin: RangeTestOrigin; created_at: string }>('SELECT suggested_lr, origin, created_at FROM lr_find_results WHERE key = $1', [key])).rows[0];
    return r ? { rate: r.suggested_lr, origin: r.origin, createdAt: Number(r.created_at) } : null;
  }

  async put(key: string, t: StoredRangeTest): Promise<void> {
    // The upsert and the pruning in one statement: the pruning sees the table as before the upsert, so it keeps the
    // newest MAX − 1 other keys beside this one.
    await this.pool.query(
      `WITH upsert AS (
         INSERT INTO lr_find_results (key, suggested_lr, origin, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET suggested_lr = excluded.suggested_lr, origin = excluded.origin, created_at = excluded.created_at
       )
       DELETE FROM lr_find_results WHERE key IN (SELECT key FROM lr_find_results WHERE key <> $1 ORDER BY created_at DESC, key OFFSET ${MAX_KEPT_RANGE_TESTS - 1})`,
      [key, t.rate, t.origin, t.createdAt],
    );
  }
}
