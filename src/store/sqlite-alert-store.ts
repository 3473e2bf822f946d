/** AlertStore on SQLite (tables from the "alert settings, outbox, mutes, threads" migration). */
import type { Database, Statement } from 'better-sqlite3';
import type { Verdict } from '../domain/verdict.ts';
import type {
  AlertDecision,
  AlertSettings,
  AlertStore,
  DecisionInput,
  OutboxEntry,
  RunThread,
} from '../alerts/alert-store.ts';
import { toEntry, toSettings, toThread, type OutboxRow, type SettingsRow, type ThreadRow } from './alert-rows.ts';

/** Every statement, prepared once per store: preparing costs more than running these small queries. */
function prepareAll(db: Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    settingsOf: p('SELECT * FROM alert_settings WHERE guild_id = ?'),
    allSettings: p('SELECT * FROM alert_settings ORDER BY guild_id'),
    saveSettings: p(
      `INSERT INTO alert_settings (guild_id, channel_id, role_id, events, updated_at, updated_by)
       VALUES (@guildId, @channelId, @roleId, @events, @updatedAt, @updatedBy)
       ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, role_id = excluded.role_id,
         events = excluded.events, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ),
    // The latest verdict of any upload of this run (same name).
    previousStatus: p(
      `SELECT v.status FROM run_verdicts v JOIN runs r ON r.id = v.run_id
       WHERE r.name = ? ORDER BY v.updated_at DESC, v.rowid DESC LIMIT 1`,
    ),
    threadGuilds: p('SELECT guild_id FROM run_threads WHERE run_key = ?'),
    saveVerdict: p(
      `INSERT INTO run_verdicts (run_id, status, verdict, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, verdict = excluded.verdict, updated_at = excluded.updated_at`,
    ),
    isMuted: p('SELECT 1 FROM run_mutes WHERE run_key = ?'),
    alerted: p('SELECT guild_id, finding_id FROM alerted_findings WHERE run_key = ?'),
    markAlerted: p('INSERT OR IGNORE INTO alerted_findings (guild_id, run_key, finding_id, run_id, alerted_at) VALUES (?, ?, ?, ?, ?)'),
    enqueue: p('INSERT INTO alert_outbox (guild_id, run_key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?) RETURNING *'),
    latestVerdict: p('SELECT verdict FROM run_verdicts WHERE run_id = ?'),
    rearmed: p('SELECT guild_id FROM alert_rearms WHERE run_key = ?'),
    rearm: p(
      `INSERT INTO alert_rearms (guild_id, run_key, armed_at, armed_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (guild_id, run_key) DO UPDATE SET armed_at = excluded.armed_at, armed_by = excluded.armed_by`,
    ),
    disarm: p('DELETE FROM alert_rearms WHERE guild_id = ? AND run_key = ?'),
    mute: p('INSERT OR IGNORE INTO run_mutes (run_key, muted_at, muted_by) VALUES (?, ?, ?)'),
    unmute: p('DELETE FROM run_mutes WHERE run_key = ?'),
    threadOf: p('SELECT * FROM run_threads WHERE guild_id = ? AND run_key = ?'),
    threadById: p('SELECT * FROM run_threads WHERE thread_id = ?'),
    saveThread: p(
      `INSERT INTO run_threads (guild_id, run_key, run_id, channel_id, thread_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (guild_id, run_key) DO UPDATE SET run_id = excluded.run_id, channel_id = excluded.channel_id, thread_id = excluded.thread_id`,
    ),
    forgetThread: p('DELETE FROM run_threads WHERE thread_id = ?'),
    pending: p('SELECT * FROM alert_outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?'),
    nextDueAt: p('SELECT MIN(next_attempt_at) AS t FROM alert_outbox WHERE delivered_at IS NULL'),
    markPosted: p('UPDATE alert_outbox SET message_id = ? WHERE id = ?'),
    markDelivered: p('UPDATE alert_outbox SET delivered_at = ?, thread_id = ?, last_error = NULL WHERE id = ?'),
    markFailed: p('UPDATE alert_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?'),
    outbox: p('SELECT * FROM alert_outbox ORDER BY id'),
  } satisfies Record<string, Statement>;
}

export class SqliteAlertStore implements AlertStore {
  private readonly st: ReturnType<typeof prepareAll>;

  /** `db` must already be migrated (openDatabase does it). */
  constructor(private readonly db: Database) {
    this.st = prepareAll(db);
  }

  async getSettings(guildId: string): Promise<AlertSettings | null> {
    const r = this.st.settingsOf.get(guildId) as SettingsRow | undefined;
    return r ? toSettings(r) : null;
  }

  async listSettings(): Promise<AlertSettings[]> {
    return (this.st.allSettings.all() as SettingsRow[]).map(toSettings);
  }

  async saveSettings(s: AlertSettings): Promise<void> {
    this.st.saveSettings.run({ ...s, events: JSON.stringify(s.events) });
  }

  async recordVerdict(
    verdict: Verdict,
    runKey: string,
    decide: (input: DecisionInput) => AlertDecision,
    now: number,
  ): Promise<OutboxEntry[]> {
    const st = this.st;
    const tx = this.db.transaction((): OutboxEntry[] => {
      // Before saving the new one.
      const previous = st.previousStatus.get(runKey) as { status: string } | undefined;
      const threadGuilds = new Set((st.threadGuilds.all(runKey) as { guild_id: string }[]).map((r) => r.guild_id));
      st.saveVerdict.run(verdict.run.id, verdict.status, JSON.stringify(verdict), now);
      const settings = (st.allSettings.all() as SettingsRow[]).map(toSettings);
      const muted = st.isMuted.get(runKey) !== undefined;
      const alreadyAlerted = new Map<string, Set<string>>();
      for (const r of st.alerted.all(runKey) as { guild_id: string; finding_id: string }[]) {
        if (!alreadyAlerted.has(r.guild_id)) alreadyAlerted.set(r.guild_id, new Set());
        alreadyAlerted.get(r.guild_id)!.add(r.finding_id);
      }
      const rearmed = new Set((st.rearmed.all(runKey) as { guild_id: string }[]).map((r) => r.guild_id));
      const decision = decide({ verdict, runKey, settings, muted, alreadyAlerted, previousStatus: previous?.status ?? null, threadGuilds, rearmed });
      const created: OutboxEntry[] = [];
      for (const { payload } of decision) {
        if (payload.kind !== 'update') for (const f of payload.findings) st.markAlerted.run(payload.guildId, runKey, f.id, verdict.run.id, now);
        // A re-arm is good for one ping.
        if (payload.ping) st.disarm.run(payload.guildId, runKey);
        created.push(toEntry(st.enqueue.get(payload.guildId, runKey, JSON.stringify(payload), now, now) as OutboxRow));
      }
      return created;
    });
    return tx.immediate();
  }

  async latestVerdict(runId: string): Promise<Verdict | null> {
    const r = this.st.latestVerdict.get(runId) as { verdict: string } | undefined;
    return r ? (JSON.parse(r.verdict) as Verdict) : null;
  }

  async rearm(guildId: string, runKey: string, by: string | null, now: number): Promise<void> {
    this.st.rearm.run(guildId, runKey, now, by);
  }

  async mute(runKey: string, by: string | null, now: number): Promise<void> {
    this.st.mute.run(runKey, now, by);
  }

  async unmute(runKey: string): Promise<void> {
    this.st.unmute.run(runKey);
  }

  async isMuted(runKey: string): Promise<boolean> {
    return this.st.isMuted.get(runKey) !== undefined;
  }

  async threadOf(guildId: string, runKey: string): Promise<RunThread | null> {
    const r = this.st.threadOf.get(guildId, runKey) as ThreadRow | undefined;
    return r ? toThread(r) : null;
  }

  async threadById(threadId: string): Promise<RunThread | null> {
    const r = this.st.threadById.get(threadId) as ThreadRow | undefined;
    return r ? toThread(r) : null;
  }

  async saveThread(t: RunThread): Promise<void> {
    this.st.saveThread.run(t.guildId, t.runKey, t.runId, t.channelId, t.threadId);
  }

  async forgetThread(threadId: string): Promise<void> {
    this.st.forgetThread.run(threadId);
  }

  async pendingOutbox(limit: number): Promise<OutboxEntry[]> {
    return (this.st.pending.all(limit) as OutboxRow[]).map(toEntry);
  }

  async nextDueAt(): Promise<number | null> {
    return (this.st.nextDueAt.get() as { t: number | null }).t;
  }

  async markPosted(id: number, messageId: string): Promise<void> {
    this.st.markPosted.run(messageId, id);
  }

  async markDelivered(id: number, threadId: string | null, now: number): Promise<void> {
    this.st.markDelivered.run(now, threadId, id);
  }

  async markFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    this.st.markFailed.run(error.slice(0, 500), nextAttemptAt, id);
  }

  async outbox(): Promise<OutboxEntry[]> {
    return (this.st.outbox.all() as OutboxRow[]).map(toEntry);
  }
}
