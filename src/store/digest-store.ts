/**
 * Digest schedules and the slots processes claimed for them. Everything outside src/store/ talks to this interface;
 * the SQL is in sqlite-digest-store.ts.
 */

export interface DigestSchedule {
  id: string;
  guildId: string;
  channelId: string;
  /** 5-field cron expression read in `timezone`. */
  cron: string;
  timezone: string;
  /** How far back each digest looks, ms. */
  windowMs: number;
  createdAt: number; // ms since the Unix epoch
  createdBy: string | null;
}

export type NewDigestSchedule = DigestSchedule;

/** A run's status as the last posted digest saw it, keyed by run name (re-uploads of a run share the name). */
export type DigestState = Record<string, string>;

export interface PostedDigest {
  slotAt: number;
  postedAt: number;
  state: DigestState;
}

export interface DigestStore {
  addSchedule(s: NewDigestSchedule): Promise<DigestSchedule>;
  /** All schedules (every guild) when guildId is omitted, oldest first. */
  listSchedules(guildId?: string): Promise<DigestSchedule[]>;
  getSchedule(id: string): Promise<DigestSchedule | null>;
  /** True when a schedule of that guild was removed (with its slots). */
  removeSchedule(guildId: string, id: string): Promise<boolean>;

  /**
   * Claims a slot for posting: true for exactly one caller per (schedule, slot), across processes sharing the file.
   * False when the slot was claimed before, or the schedule no longer exists.
   */
  claimSlot(scheduleId: string, slotAt: number, claimedBy: string, now: number, late: boolean): Promise<boolean>;
  /** Gives a slot back after a failed post, so a later start can post it late. */
  releaseSlot(scheduleId: string, slotAt: number): Promise<void>;
  markPosted(scheduleId: string, slotAt: number, messageId: string | null, state: DigestState, now: number): Promise<void>;
  /** The newest claimed slot of a schedule (posted or not), or null. */
  lastSlotAt(scheduleId: string): Promise<number | null>;
  /** The newest posted digest of a schedule, or with only guildId the newest posted in that guild. */
  lastPosted(where: { scheduleId?: string; guildId?: string }): Promise<PostedDigest | null>;
}
