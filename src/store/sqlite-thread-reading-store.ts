/** ThreadReadingStore on SQLite (the thread_reading table, migration 10). */
import type { Database, Statement } from 'better-sqlite3';
import type { ThreadReadingStore } from '../app/thread-reading.ts';

export class SqliteThreadReadingStore implements ThreadReadingStore {
  private readonly st: Record<'get' | 'set' | 'any', Statement>;

  constructor(db: Database) {
    this.st = {
      get: db.prepare('SELECT enabled FROM thread_reading WHERE guild_id = ?'),
      set: db.prepare(
        `INSERT INTO thread_reading (guild_id, enabled, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (guild_id) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      ),
      any: db.prepare('SELECT 1 FROM thread_reading WHERE enabled = 1 LIMIT 1'),
    };
  }

  async isEnabled(guildId: string): Promise<boolean> {
    return (this.st.get.get(guildId) as { enabled: number } | undefined)?.enabled === 1;
  }

  async setEnabled(guildId: string, enabled: boolean, by: string | null, now: number): Promise<void> {
    this.st.set.run(guildId, enabled ? 1 : 0, now, by);
  }

  async anyEnabled(): Promise<boolean> {
    return this.st.any.get() !== undefined;
  }
}
