/** A row of digest_schedules (migration 5) as both stores read it, and the schedule it becomes. */
import type { DigestSchedule } from './digest-store.ts';

export interface ScheduleRow {
  id: string;
  guild_id: string;
  channel_id: string;
  cron: string;
  timezone: string;
  window_ms: number;
  created_at: number;
  created_by: string | null;
}

export const SCHEDULE_COLUMNS = 'id, guild_id, channel_id, cron, timezone, window_ms, created_at, created_by';

export function toSchedule(r: ScheduleRow): DigestSchedule {
  return {
    id: r.id,
    guildId: r.guild_id,
    channelId: r.channel_id,
    cron: r.cron,
    timezone: r.timezone,
    windowMs: r.window_ms,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}
