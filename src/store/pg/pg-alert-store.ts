/**
 * AlertStore on PostgreSQL. recordVerdict takes a transaction-scoped advisory lock on the run key, so two API replicas
 * judging batches of one run decide one after the other: the second sees the first's alerted findings and pings no
 * one twice.
 */
import type { Verdict } from '../../domain/verdict.ts';
import type { AlertDecision, AlertSettings, AlertStore, DecisionInput, OutboxEntry, RunThread } from '../../alerts/alert-store.ts';
import { toEntry, toSettings, toThread, type OutboxRow, type SettingsRow, type ThreadRow } from '../alert-rows.ts';
import { inTransaction, LOCK, type PgPool } from './pg-database.ts';

/** What recordVerdict reads for the decision, in one row. */
interface DecisionRow {
  previous: string | null;
  thread_guilds: string[];
  settings: SettingsRow[];
  muted: boolean;
  alerted: [string, string][];
  rearmed: string[];
}

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

  /**
   * Three round trips: BEGIN with the run key's lock, then one statement that reads everything the decision needs and
   * saves the verdict (its reads see the database as it was before that save, as the previous verdict must be read),
   * then COMMIT; pings add one statement writing the findings, re-arms and outbox entries.
   */
  async recordVerdict(verdict: Verdict, runKey: string, decide: (input: DecisionInput) => AlertDecision, now: number): Promise<OutboxEntry[]> {
    return inTransaction(
      this.pool,
      async (c) => {
        const read = (await c.query<DecisionRow>({
          name: 'runmedic-record-verdict',
          text: `WITH saved AS (
                   INSERT INTO run_verdicts (run_id, status, verdict, updated_at) VALUES ($2, $3, $4, $5)
                   ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, verdict = excluded.verdict, updated_at = excluded.updated_at
                 )
                 SELECT (SELECT v.status FROM run_verdicts v JOIN runs r ON r.id = v.run_id WHERE r.name = $1 ORDER BY v.updated_at DESC, v.seq DESC LIMIT 1) AS previous,
                        ARRAY(SELECT guild_id FROM run_threads WHERE run_key = $1) AS thread_guilds,
                        ARRAY(SELECT row_to_json(a) FROM alert_settings a ORDER BY guild_id) AS settings,
                        EXISTS (SELECT 1 FROM run_mutes WHERE run_key = $1) AS muted,
                        ARRAY(SELECT json_build_array(guild_id, finding_id) FROM alerted_findings WHERE run_key = $1) AS alerted,
                        ARRAY(SELECT guild_id FROM alert_rearms WHERE run_key = $1) AS rearmed`,
          values: [runKey, verdict.run.id, verdict.status, JSON.stringify(verdict), now],
        })).rows[0]!;
        const alreadyAlerted = new Map<string, Set<string>>();
        for (const [guild, finding] of read.alerted) {
          if (!alreadyAlerted.has(guild)) alreadyAlerted.set(guild, new Set());
          alreadyAlerted.get(guild)!.add(finding);
        }
        const decision = decide({
          verdict,
          runKey,
          settings: read.settings.map(toSettings),
          muted: read.muted,
          alreadyAlerted,
          previousStatus: read.previous,
          threadGuilds: new Set(read.thread_guilds),
          rearmed: new Set(read.rearmed),
        });
        if (!decision.length) return [];
        const findings = new Map<string, [string, string]>();
        const disarm = new Set<string>();
        for (const { payload } of decision) {
          if (payload.kind !== 'update') for (const f of payload.findings) findings.set(JSON.stringify([payload.guildId, f.id]), [payload.guildId, f.id]);
          // A re-arm is good for one ping.
          if (payload.ping) disarm.add(payload.guildId);
        }
        const f = [...findings.values()];
        const rows = (await c.query<OutboxRow>(
          `WITH alerted AS (
             INSERT INTO alerted_findings (guild_id, run_key, finding_id, run_id, alerted_at)
             SELECT g, $1, f, $2, $3 FROM unnest($4::text[], $5::text[]) AS t(g, f) ON CONFLICT DO NOTHING
           ), disarmed AS (
             DELETE FROM alert_rearms WHERE run_key = $1 AND guild_id = ANY($6::text[])
           )
           INSERT INTO alert_outbox (guild_id, run_key, payload, created_at, next_attempt_at)
           SELECT g, $1, p, $3, $3 FROM unnest($7::text[], $8::text[]) WITH ORDINALITY AS t(g, p, o) ORDER BY o
           RETURNING *`,
          [runKey, verdict.run.id, now, f.map((x) => x[0]), f.map((x) => x[1]), [...disarm], decision.map((d) => d.payload.guildId), decision.map((d) => JSON.stringify(d.payload))],
        )).rows;
        return rows.sort((a, b) => a.id - b.id).map(toEntry);
      },
      '',
      (c) => `SELECT pg_advisory_xact_lock(${LOCK.runAlerts}, hashtext(${c.escapeLiteral(runKey)}))`,
    );
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
