/** DigestStore on SQLite (the tables of migration 5). */
import type { Database, Statement } from 'better-sqlite3';
import type { DigestSchedule, DigestState, DigestStore, NewDigestSchedule, PostedDigest } from './digest-store.ts';
import { SCHEDULE_COLUMNS, toSchedule, type ScheduleRow } from './digest-rows.ts';

export class SqliteDigestStore implements DigestStore {
  private readonly st: Record<
    'insert' | 'all' | 'byGuild' | 'byId' | 'remove' | 'claim' | 'release' | 'posted' | 'lastSlot' | 'lastPostedOf' | 'lastPostedIn',
    Statement
  >;

  /** `db` must be migrated (openDatabase does it). */
  constructor(db: Database) {
    const p = (sql: string) => db.prepare(sql);
    this.st = {
      insert: p(`INSERT INTO digest_schedules (${SCHEDULE_COLUMNS}) VALUES (@id, @guild_id, @channel_id, @cron, @timezone, @window_ms, @created_at, @created_by)`),
      all: p(`SELECT ${SCHEDULE_COLUMNS} FROM digest_schedules ORDER BY created_at, id`),
      byGuild: p(`SELECT ${SCHEDULE_COLUMNS} FROM digest_schedules WHERE guild_id = ? ORDER BY created_at, id`),
      byId: p(`SELECT ${SCHEDULE_COLUMNS} FROM digest_schedules WHERE id = ?`),
      remove: p(`DELETE FROM digest_schedules WHERE guild_id = ? AND id = ?`),
      // The schedule must still exist: a slot of a removed schedule is never claimed.
      claim: p(`INSERT OR IGNORE INTO digest_slots (schedule_id, slot_at, claimed_by, claimed_at, late)
                SELECT id, @slot_at, @claimed_by, @claimed_at, @late FROM digest_schedules WHERE id = @schedule_id`),
      release: p(`DELETE FROM digest_slots WHERE schedule_id = ? AND slot_at = ? AND posted_at IS NULL`),
      posted: p(`UPDATE digest_slots SET posted_at = @posted_at, message_id = @message_id, state = @state WHERE schedule_id = @schedule_id AND slot_at = @slot_at`),
      lastSlot: p(`SELECT MAX(slot_at) AS s FROM digest_slots WHERE schedule_id = ?`),
      lastPostedOf: p(`SELECT slot_at, posted_at, state FROM digest_slots WHERE schedule_id = ? AND posted_at IS NOT NULL ORDER BY posted_at DESC LIMIT 1`),
      lastPostedIn: p(`SELECT s.slot_at, s.posted_at, s.state FROM digest_slots s JOIN digest_schedules d ON d.id = s.schedule_id
                       WHERE d.guild_id = ? AND s.posted_at IS NOT NULL ORDER BY s.posted_at DESC LIMIT 1`),
    };
  }

  async addSchedule(s: NewDigestSchedule): Promise<DigestSchedule> {
    this.st.insert.run({
      id: s.id,
      guild_id: s.guildId,
      channel_id: s.channelId,
      cron: s.cron,
      timezone: s.timezone,
      window_ms: s.windowMs,
      created_at: s.createdAt,
      created_by: s.createdBy,
    });
    return { ...s };
  }

  async listSchedules(guildId?: string): Promise<DigestSchedule[]> {
    const rows = (guildId === undefined ? this.st.all.all() : this.st.byGuild.all(guildId)) as ScheduleRow[];
    return rows.map(toSchedule);
  }

  async getSchedule(id: string): Promise<DigestSchedule | null> {
    const row = this.st.byId.get(id) as ScheduleRow | undefined;
    return row ? toSchedule(row) : null;
  }

  async removeSchedule(guildId: string, id: string): Promise<boolean> {
    return this.st.remove.run(guildId, id).changes > 0;
  }

  async claimSlot(scheduleId: string, slotAt: number, claimedBy: string, now: number, late: boolean): Promise<boolean> {
    const r = this.st.claim.run({ schedule_id: scheduleId, slot_at: slotAt, claimed_by: claimedBy, claimed_at: now, late: late ? 1 : 0 });
    return r.changes === 1;
  }

  async releaseSlot(scheduleId: string, slotAt: number): Promise<void> {
    this.st.release.run(scheduleId, slotAt);
  }

  async markPosted(scheduleId: string, slotAt: number, messageId: string | null, state: DigestState, now: number): Promise<void> {
    this.st.posted.run({ schedule_id: scheduleId, slot_at: slotAt, message_id: messageId, state: JSON.stringify(state), posted_at: now });
  }

  async lastSlotAt(scheduleId: string): Promise<number | null> {
    return (this.st.lastSlot.get(scheduleId) as { s: number | null }).s;
  }

  async lastPosted(where: { scheduleId?: string; guildId?: string }): Promise<PostedDigest | null> {
    const row = (
      where.scheduleId !== undefined ? this.st.lastPostedOf.get(where.scheduleId) : where.guildId !== undefined ? this.st.lastPostedIn.get(where.guildId) : undefined
    ) as { slot_at: number; posted_at: number; state: string | null } | undefined;
    if (!row) return null;
    return { slotAt: row.slot_at, postedAt: row.posted_at, state: row.state ? (JSON.parse(row.state) as DigestState) : {} };
  }
}
