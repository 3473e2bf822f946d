/**
 * AlertStore on PostgreSQL. recordVerdict takes a transaction-scoped advisory lock on the run key, so two API replicas
 * judging batches of one run decide one after the other: the second sees the first's alerted findings and pings no
 * one twice.
 */
import type { Verdict } from '../../domain/verdict.ts';
import type { AlertDecision, AlertSettings, AlertStore, DecisionInput, OutboxEntry, RunThread } from '../../alerts/alert-store.ts';
import { toEntry, toSettings, toThread, type OutboxRow, type SettingsRow, type ThreadRow } from '../alert-rows.ts';
import { inTransaction, LOCK, type PgPool } from './pg-database.ts';

export class PgAlertStore implements AlertStore {
  constructor(private readonly pool: PgPool) {}

  async getSettings(guildId: string): Promise<AlertSettings | null> {
    const r = (await this.pool.query<SettingsRow>('SELECT * FROM alert_settings WHERE guild_id = $1', [guildId])).rows[0];
    return r ? toSettings(r) : null;
  }

  async listSettings(): Promise<AlertSettings[]> {
    return (await this.pool.query<SettingsRow>('SELECT * FROM alert_settings ORDER BY guild_id')).rows.map(toSettings);
  }

  async saveSettings(s: AlertSettings): Promise<void> {
    await this.pool.query(
      `INSERT INTO alert_settings (guild_id, channel_id, role_id, events, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, role_id = excluded.role_id,
         events = excluded.events, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [s.guildId, s.channelId, s.roleId, JSON.stringify(s.events), s.updatedAt, s.updatedBy],
    );
  }

  async recordVerdict(verdict: Verdict, runKey: string, decide: (input: DecisionInput) => AlertDecision, now: number): Promise<OutboxEntry[]> {
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK.runAlerts, runKey]);
      const previous = (await c.query<{ status: string }>(
        `SELECT v.status FROM run_verdicts v JOIN runs r ON r.id = v.run_id WHERE r.name = $1 ORDER BY v.updated_at DESC, v.seq DESC LIMIT 1`,
        [runKey],
      )).rows[0];
      const threadGuilds = new Set((await c.query<{ guild_id: string }>('SELECT guild_id FROM run_threads WHERE run_key = $1', [runKey])).rows.map((r) => r.guild_id));
      await c.query(
        `INSERT INTO run_verdicts (run_id, status, verdict, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, verdict = excluded.verdict, updated_at = excluded.updated_at`,
        [verdict.run.id, verdict.status, JSON.stringify(verdict), now],
      );
      const settings = (await c.query<SettingsRow>('SELECT * FROM alert_settings ORDER BY guild_id')).rows.map(toSettings);
      const muted = (await c.query('SELECT 1 FROM run_mutes WHERE run_key = $1', [runKey])).rows.length > 0;
      const alreadyAlerted = new Map<string, Set<string>>();
      for (const r of (await c.query<{ guild_id: string; finding_id: string }>('SELECT guild_id, finding_id FROM alerted_findings WHERE run_key = $1', [runKey])).rows) {
        if (!alreadyAlerted.has(r.guild_id)) alreadyAlerted.set(r.guild_id, new Set());
        alreadyAlerted.get(r.guild_id)!.add(r.finding_id);
      }
      const rearmed = new Set((await c.query<{ guild_id: string }>('SELECT guild_id FROM alert_rearms WHERE run_key = $1', [runKey])).rows.map((r) => r.guild_id));
      const decision = decide({ verdict, runKey, settings, muted, alreadyAlerted, previousStatus: previous?.status ?? null, threadGuilds, rearmed });
      const created: OutboxEntry[] = [];
      for (const { payload } of decision) {
        if (payload.kind !== 'update') {
          for (const f of payload.findings) {
            await c.query(
              'INSERT INTO alerted_findings (guild_id, run_key, finding_id, run_id, alerted_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
              [payload.guildId, runKey, f.id, verdict.run.id, now],
            );
          }
        }
        if (payload.ping) await c.query('DELETE FROM alert_rearms WHERE guild_id = $1 AND run_key = $2', [payload.guildId, runKey]);
        const row = (await c.query<OutboxRow>(
          'INSERT INTO alert_outbox (guild_id, run_key, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4) RETURNING *',
          [payload.guildId, runKey, JSON.stringify(payload), now],
        )).rows[0]!;
        created.push(toEntry(row));
      }
      return created;
    });
  }

  async latestVerdict(runId: string): Promise<Verdict | null> {
    const r = (await this.pool.query<{ verdict: string }>('SELECT verdict FROM run_verdicts WHERE run_id = $1', [runId])).rows[0];
    return r ? (JSON.parse(r.verdict) as Verdict) : null;
  }

  async rearm(guildId: string, runKey: string, by: string | null, now: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO alert_rearms (guild_id, run_key, armed_at, armed_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (guild_id, run_key) DO UPDATE SET armed_at = excluded.armed_at, armed_by = excluded.armed_by`,
      [guildId, runKey, now, by],
    );
  }

  async mute(runKey: string, by: string | null, now: number): Promise<void> {
    await this.pool.query('INSERT INTO run_mutes (run_key, muted_at, muted_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [runKey, now, by]);
  }

  async unmute(runKey: string): Promise<void> {
    await this.pool.query('DELETE FROM run_mutes WHERE run_key = $1', [runKey]);
  }

  async isMuted(runKey: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM run_mutes WHERE run_key = $1', [runKey])).rows.length > 0;
  }

  async threadOf(guildId: string, runKey: string): Promise<RunThread | null> {
    const r = (await this.pool.query<ThreadRow>('SELECT * FROM run_threads WHERE guild_id = $1 AND run_key = $2', [guildId, runKey])).rows[0];
    return r ? toThread(r) : null;
  }

  async threadById(threadId: string): Promise<RunThread | null> {
    const r = (await this.pool.query<ThreadRow>('SELECT * FROM run_threads WHERE thread_id = $1', [threadId])).rows[0];
    return r ? toThread(r) : null;
  }

  async saveThread(t: RunThread): Promise<void> {
    await this.pool.query(
      `INSERT INTO run_threads (guild_id, run_key, run_id, channel_id, thread_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (guild_id, run_key) DO UPDATE SET run_id = excluded.run_id, channel_id = excluded.channel_id, thread_id = excluded.thread_id`,
      [t.guildId, t.runKey, t.runId, t.channelId, t.threadId],
    );
  }

  async forgetThread(threadId: string): Promise<void> {
    await this.pool.query('DELETE FROM run_threads WHERE thread_id = $1', [threadId]);
  }

  async pendingOutbox(limit: number): Promise<OutboxEntry[]> {
    return (await this.pool.query<OutboxRow>('SELECT * FROM alert_outbox WHERE delivered_at IS NULL ORDER BY id LIMIT $1', [limit])).rows.map(toEntry);
  }

  async nextDueAt(): Promise<number | null> {
    return (await this.pool.query<{ t: number | null }>('SELECT MIN(next_attempt_at) AS t FROM alert_outbox WHERE delivered_at IS NULL')).rows[0]!.t;
  }

  async markPosted(id: number, messageId: string): Promise<void> {
    await this.pool.query('UPDATE alert_outbox SET message_id = $1 WHERE id = $2', [messageId, id]);
  }

  async markDelivered(id: number, threadId: string | null, now: number): Promise<void> {
    await this.pool.query('UPDATE alert_outbox SET delivered_at = $1, thread_id = $2, last_error = NULL WHERE id = $3', [now, threadId, id]);
  }

  async markFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    await this.pool.query('UPDATE alert_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3', [error.slice(0, 500), nextAttemptAt, id]);
  }

  async outbox(): Promise<OutboxEntry[]> {
    return (await this.pool.query<OutboxRow>('SELECT * FROM alert_outbox ORDER BY id')).rows.map(toEntry);
  }
}
