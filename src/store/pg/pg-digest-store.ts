/**
 * DigestStore on PostgreSQL (tables of migration 5). A slot is claimed by inserting its row: the primary key lets
 * exactly one process of any number post each digest slot.
 */
import type { DigestSchedule, DigestState, DigestStore, NewDigestSchedule, PostedDigest } from '../digest-store.ts';
import { SCHEDULE_COLUMNS, toSchedule, type ScheduleRow } from '../digest-rows.ts';
import type { PgPool } from './pg-database.ts';

export class PgDigestStore implements DigestStore {
  constructor(private readonly pool: PgPool) {}

  async addSchedule(s: NewDigestSchedule): Promise<DigestSchedule> {
    await this.pool.query(`INSERT INTO digest_schedules (${SCHEDULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      s.id, s.guildId, s.channelId, s.cron, s.timezone, s.windowMs, s.createdAt, s.createdBy,
    ]);
    return { ...s };
  }

  async listSchedules(guildId?: string): Promise<DigestSchedule[]> {
    const r = guildId === undefined
      ? await this.pool.query<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM digest_schedules ORDER BY created_at, id`)
      : await this.pool.query<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM digest_schedules WHERE guild_id = $1 ORDER BY created_at, id`, [guildId]);
    return r.rows.map(toSchedule);
  }

  async getSchedule(id: string): Promise<DigestSchedule | null> {
    const r = (await this.pool.query<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM digest_schedules WHERE id = $1`, [id])).rows[0];
    return r ? toSchedule(r) : null;
  }

  async removeSchedule(guildId: string, id: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM digest_schedules WHERE guild_id = $1 AND id = $2', [guildId, id])).rowCount ?? 0) > 0;
  }

  async claimSlot(scheduleId: string, slotAt: number, claimedBy: string, now: number, late: boolean): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO digest_slots (schedule_id, slot_at, claimed_by, claimed_at, late)
       SELECT id, $2, $3, $4, $5 FROM digest_schedules WHERE id = $1 ON CONFLICT DO NOTHING`,
      [scheduleId, slotAt, claimedBy, now, late ? 1 : 0],
    );
    return r.rowCount === 1;
  }

  async releaseSlot(scheduleId: string, slotAt: number): Promise<void> {
    await this.pool.query('DELETE FROM digest_slots WHERE schedule_id = $1 AND slot_at = $2 AND posted_at IS NULL', [scheduleId, slotAt]);
  }

  async markPosted(scheduleId: string, slotAt: number, messageId: string | null, state: DigestState, now: number): Promise<void> {
    await this.pool.query('UPDATE digest_slots SET posted_at = $1, message_id = $2, state = $3 WHERE schedule_id = $4 AND slot_at = $5', [
      now, messageId, JSON.stringify(state), scheduleId, slotAt,
    ]);
  }

  async lastSlotAt(scheduleId: string): Promise<number | null> {
    return (await this.pool.query<{ s: number | null }>('SELECT MAX(slot_at) AS s FROM digest_slots WHERE schedule_id = $1', [scheduleId])).rows[0]!.s;
  }

  async lastPosted(where: { scheduleId?: string; guildId?: string }): Promise<PostedDigest | null> {
    let r;
    if (where.scheduleId !== undefined) {
      r = await this.pool.query<{ slot_at: number; posted_at: number; state: string | null }>(
        'SELECT slot_at, posted_at, state FROM digest_slots WHERE schedule_id = $1 AND posted_at IS NOT NULL ORDER BY posted_at DESC LIMIT 1',
        [where.scheduleId],
      );
    } else if (where.guildId !== undefined) {
      r = await this.pool.query<{ slot_at: number; posted_at: number; state: string | null }>(
        `SELECT s.slot_at, s.posted_at, s.state FROM digest_slots s JOIN digest_schedules d ON d.id = s.schedule_id
         WHERE d.guild_id = $1 AND s.posted_at IS NOT NULL ORDER BY s.posted_at DESC LIMIT 1`,
        [where.guildId],
      );
    } else return null;
    const row = r.rows[0];
    if (!row) return null;
    return { slotAt: row.slot_at, postedAt: row.posted_at, state: row.state ? (JSON.parse(row.state) as DigestState) : {} };
  }
}
