/** ThreadReadingStore on PostgreSQL (the thread_reading table, migration 10). */
import type { ThreadReadingStore } from '../../app/thread-reading.ts';
import type { PgPool } from './pg-database.ts';

export class PgThreadReadingStore implements ThreadReadingStore {
  constructor(private readonly pool: PgPool) {}

  async isEnabled(guildId: string): Promise<boolean> {
    return (await this.pool.query<{ enabled: number }>('SELECT enabled FROM thread_reading WHERE guild_id = $1', [guildId])).rows[0]?.enabled === 1;
  }

  async setEnabled(guildId: string, enabled: boolean, by: string | null, now: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO thread_reading (guild_id, enabled, updated_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (guild_id) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [guildId, enabled ? 1 : 0, now, by],
    );
  }

  async anyEnabled(): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM thread_reading WHERE enabled = 1 LIMIT 1')).rows.length > 0;
  }
}
