/** RangeTestStore on SQLite (the lr_find_results table, migration 12). */
import type { Database, Statement } from 'better-sqlite3';
import { MAX_KEPT_RANGE_TESTS, type RangeTestOrigin, type RangeTestStore, type StoredRangeTest } from '../app/range-test-store.ts';

export class SqliteRangeTestStore implements RangeTestStore {
  private readonly st: Record<'get' | 'put' | 'prune', Statement>;

  constructor(private readonly db: Database) {
    this.st = {
      get: db.prepare('SELECT suggested_lr, origin, created_at FROM lr_find_results WHERE key = ?'),
      put: db.prepare(
        `INSERT INTO lr_find_results (key, suggested_lr, origin, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET suggested_lr = excluded.suggested_lr, origin = excluded.origin, created_at = excluded.created_at`,
      ),
      // The newest MAX − 1 other keys stay beside the one just written.
      prune: db.prepare(`DELETE FROM lr_find_results WHERE key IN (SELECT key FROM lr_find_results WHERE key <> ? ORDER BY created_at DESC, key LIMIT -1 OFFSET ${MAX_KEPT_RANGE_TESTS - 1})`),
    };
  }

  async get(key: string): Promise<StoredRangeTest | null> {
    const r = this.st.get.get(key) as { suggested_lr: number; origin: RangeTestOrigin; created_at: number } | undefined;
    return r ? { rate: r.suggested_lr, origin: r.origin, createdAt: r.created_at } : null;
  }

  async put(key: string, t: StoredRangeTest): Promise<void> {
    this.db.transaction(() => {
      this.st.put.run(key, t.rate, t.origin, t.createdAt);
      this.st.prune.run(key);
    })();
  }
}
