/** AlertStore on SQLite (tables from the "alert settings, outbox, mutes, threads" migration). */
import type { Database } from 'better-sqlite3';
import type { Verdict } from '../domain/verdict.ts';
import type {
  AlertDecision,
  AlertPayload,
  AlertSettings,
  AlertStore,
  DecisionInput,
  OutboxEntry,
  RunThread,
} from '../alerts/alert-store.ts';

interface SettingsRow {
  guild_id: string;
  channel_id: string;
  role_id: string | null;
  events: string;
  updated_at: number;
  updated_by: string | null;
}

interface OutboxRow {
  id: number;
  payload: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  message_id: string | null;
  thread_id: string | null;
  delivered_at: number | null;
  last_error: string | null;
}

interface ThreadRow {
  guild_id: string;
  run_key: string;
  run_id: string;
  channel_id: string;
  thread_id: string;
}

const toSettings = (r: SettingsRow): AlertSettings => ({
  guildId: r.guild_id,
  channelId: r.channel_id,
  roleId: r.role_id,
  events: JSON.parse(r.events) as string[],
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

const toEntry = (r: OutboxRow): OutboxEntry => ({
  id: r.id,
  payload: JSON.parse(r.payload) as AlertPayload,
  attempts: r.attempts,
  createdAt: r.created_at,
  nextAttemptAt: r.next_attempt_at,
  messageId: r.message_id,
  threadId: r.thread_id,
  deliveredAt: r.delivered_at,
  lastError: r.last_error,
});

const toThread = (r: ThreadRow): RunThread => ({
  guildId: r.guild_id,
  runKey: r.run_key,
  runId: r.run_id,
  channelId: r.channel_id,
  threadId: r.thread_id,
});

export class SqliteAlertStore implements AlertStore {
  constructor(private readonly db: Database) {}

  async getSettings(guildId: string): Promise<AlertSettings | null> {
    const r = this.db.prepare('SELECT * FROM alert_settings WHERE guild_id = ?').get(guildId) as SettingsRow | undefined;
    return r ? toSettings(r) : null;
  }

  async listSettings(): Promise<AlertSettings[]> {
    return (this.db.prepare('SELECT * FROM alert_settings ORDER BY guild_id').all() as SettingsRow[]).map(toSettings);
  }

  async saveSettings(s: AlertSettings): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO alert_settings (guild_id, channel_id, role_id, events, updated_at, updated_by)
         VALUES (@guildId, @channelId, @roleId, @events, @updatedAt, @updatedBy)
         ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, role_id = excluded.role_id,
           events = excluded.events, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run({ ...s, events: JSON.stringify(s.events) });
  }

  async recordVerdict(
    verdict: Verdict,
    runKey: string,
    decide: (input: DecisionInput) => AlertDecision,
    now: number,
  ): Promise<OutboxEntry[]> {
    const tx = this.db.transaction((): OutboxEntry[] => {
      // Before saving the new one: the latest verdict of any upload of this run (same name).
      const previous = this.db
        .prepare(
          `SELECT v.status FROM run_verdicts v JOIN runs r ON r.id = v.run_id
           WHERE r.name = ? ORDER BY v.updated_at DESC, v.rowid DESC LIMIT 1`,
        )
        .get(runKey) as { status: string } | undefined;
      const threadGuilds = new Set(
        (this.db.prepare('SELECT guild_id FROM run_threads WHERE run_key = ?').all(runKey) as { guild_id: string }[]).map((r) => r.guild_id),
      );
      this.db
        .prepare(
          `INSERT INTO run_verdicts (run_id, status, verdict, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, verdict = excluded.verdict, updated_at = excluded.updated_at`,
        )
        .run(verdict.run.id, verdict.status, JSON.stringify(verdict), now);
      const settings = (this.db.prepare('SELECT * FROM alert_settings ORDER BY guild_id').all() as SettingsRow[]).map(toSettings);
      const muted = this.db.prepare('SELECT 1 FROM run_mutes WHERE run_key = ?').get(runKey) !== undefined;
      const alreadyAlerted = new Map<string, Set<string>>();
      for (const r of this.db.prepare('SELECT guild_id, finding_id FROM alerted_findings WHERE run_key = ?').all(runKey) as {
        guild_id: string;
        finding_id: string;
      }[]) {
        if (!alreadyAlerted.has(r.guild_id)) alreadyAlerted.set(r.guild_id, new Set());
        alreadyAlerted.get(r.guild_id)!.add(r.finding_id);
      }
      const decision = decide({ verdict, runKey, settings, muted, alreadyAlerted, previousStatus: previous?.status ?? null, threadGuilds });
      const markAlerted = this.db.prepare(
        'INSERT OR IGNORE INTO alerted_findings (guild_id, run_key, finding_id, run_id, alerted_at) VALUES (?, ?, ?, ?, ?)',
      );
      const enqueue = this.db.prepare(
        'INSERT INTO alert_outbox (guild_id, run_key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
      );
      const created: OutboxEntry[] = [];
      for (const { payload } of decision) {
        if (payload.kind !== 'update') for (const f of payload.findings) markAlerted.run(payload.guildId, runKey, f.id, verdict.run.id, now);
        created.push(toEntry(enqueue.get(payload.guildId, runKey, JSON.stringify(payload), now, now) as OutboxRow));
      }
      return created;
    });
    return tx.immediate();
  }

  async latestVerdict(runId: string): Promise<Verdict | null> {
    const r = this.db.prepare('SELECT verdict FROM run_verdicts WHERE run_id = ?').get(runId) as { verdict: string } | undefined;
    return r ? (JSON.parse(r.verdict) as Verdict) : null;
  }

  async mute(runKey: string, by: string | null, now: number): Promise<void> {
    this.db.prepare('INSERT OR IGNORE INTO run_mutes (run_key, muted_at, muted_by) VALUES (?, ?, ?)').run(runKey, now, by);
  }

  async unmute(runKey: string): Promise<void> {
    this.db.prepare('DELETE FROM run_mutes WHERE run_key = ?').run(runKey);
  }

  async isMuted(runKey: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM run_mutes WHERE run_key = ?').get(runKey) !== undefined;
  }

  async threadOf(guildId: string, runKey: string): Promise<RunThread | null> {
    const r = this.db.prepare('SELECT * FROM run_threads WHERE guild_id = ? AND run_key = ?').get(guildId, runKey) as ThreadRow | undefined;
    return r ? toThread(r) : null;
  }

  async threadById(threadId: string): Promise<RunThread | null> {
    const r = this.db.prepare('SELECT * FROM run_threads WHERE thread_id = ?').get(threadId) as ThreadRow | undefined;
    return r ? toThread(r) : null;
  }

  async saveThread(t: RunThread): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO run_threads (guild_id, run_key, run_id, channel_id, thread_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (guild_id, run_key) DO UPDATE SET run_id = excluded.run_id, channel_id = excluded.channel_id, thread_id = excluded.thread_id`,
      )
      .run(t.guildId, t.runKey, t.runId, t.channelId, t.threadId);
  }

  async forgetThread(threadId: string): Promise<void> {
    this.db.prepare('DELETE FROM run_threads WHERE thread_id = ?').run(threadId);
  }

  async pendingOutbox(limit: number): Promise<OutboxEntry[]> {
    return (
      this.db.prepare('SELECT * FROM alert_outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?').all(limit) as OutboxRow[]
    ).map(toEntry);
  }

  async nextDueAt(): Promise<number | null> {
    const r = this.db.prepare('SELECT MIN(next_attempt_at) AS t FROM alert_outbox WHERE delivered_at IS NULL').get() as { t: number | null };
    return r.t;
  }

  async markPosted(id: number, messageId: string): Promise<void> {
    this.db.prepare('UPDATE alert_outbox SET message_id = ? WHERE id = ?').run(messageId, id);
  }

  async markDelivered(id: number, threadId: string | null, now: number): Promise<void> {
    this.db.prepare('UPDATE alert_outbox SET delivered_at = ?, thread_id = ?, last_error = NULL WHERE id = ?').run(now, threadId, id);
  }

  async markFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    this.db
      .prepare('UPDATE alert_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?')
      .run(error.slice(0, 500), nextAttemptAt, id);
  }

  async outbox(): Promise<OutboxEntry[]> {
    return (this.db.prepare('SELECT * FROM alert_outbox ORDER BY id').all() as OutboxRow[]).map(toEntry);
  }
}
