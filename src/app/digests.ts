/**
 * Digest use cases shared by the faces: schedule, list, remove, and a digest now. Scheduling goes through the
 * DigestScheduler so a new schedule is armed at once in this process.
 */
import { randomBytes } from 'node:crypto';
import type { DigestSchedule, DigestStore } from '../store/digest-store.ts';
import type { Clock } from '../schedule/clock.ts';
import type { DigestScheduler } from '../schedule/digest-scheduler.ts';
import { nextSlot } from '../schedule/cron-slots.ts';
import type { DigestScheduleInput } from '../schedule/digest-options.ts';
import type { Digest } from './build-digest.ts';
import { prepareDigest, type DigestSources } from './prepare-digest.ts';

export interface ListedSchedule extends DigestSchedule {
  /** The next slot, ms since the Unix epoch (null when the expression never fires again). */
  nextAt: number | null;
}

/** A guild may have this many schedules: enough for teams, not a way to flood a channel. */
export const MAX_SCHEDULES_PER_GUILD = 10;

export class DigestLimitError extends Error {
  constructor() {
    super(`a server can have at most ${MAX_SCHEDULES_PER_GUILD} digest schedules: remove one first`);
    this.name = 'DigestLimitError';
  }
}

export class Digests {
  constructor(
    private readonly deps: { store: DigestStore; sources: DigestSources; clock: Clock; scheduler?: DigestScheduler },
  ) {}

  /** The scheduler arms schedules added from now on (set once it exists, after the bot is up). */
  attach(scheduler: DigestScheduler): void {
    this.deps.scheduler = scheduler;
  }

  async schedule(req: DigestScheduleInput & { guildId: string; channelId: string; by: string | null }): Promise<ListedSchedule> {
    const existing = await this.deps.store.listSchedules(req.guildId);
    if (existing.length >= MAX_SCHEDULES_PER_GUILD) throw new DigestLimitError();
    const now = this.deps.clock.now();
    const saved = await this.deps.store.addSchedule({
      id: `d_${randomBytes(4).toString('hex')}`,
      guildId: req.guildId,
      channelId: req.channelId,
      cron: req.cron,
      timezone: req.timezone,
      windowMs: req.windowMs,
      createdAt: now,
      createdBy: req.by,
    });
    this.deps.scheduler?.arm(saved);
    return { ...saved, nextAt: nextSlot(saved.cron, saved.timezone, now) };
  }

  async list(guildId: string): Promise<ListedSchedule[]> {
    const now = this.deps.clock.now();
    return (await this.deps.store.listSchedules(guildId)).map((s) => ({ ...s, nextAt: nextSlot(s.cron, s.timezone, now) }));
  }

  async remove(guildId: string, id: string): Promise<boolean> {
    const removed = await this.deps.store.removeSchedule(guildId, id);
    if (removed) this.deps.scheduler?.disarm(id);
    return removed;
  }

  /** A digest of the window ending now, compared with the guild's last posted digest; records nothing. */
  async now(guildId: string, windowMs: number): Promise<Digest> {
    const previous = await this.deps.store.lastPosted({ guildId });
    return prepareDigest(this.deps.sources, { guildId, windowMs, now: this.deps.clock.now(), previous: previous?.state ?? null });
  }

  /** For the scheduler: the digest of one schedule. */
  build(schedule: DigestSchedule, previous: Digest['state'] | null, now: number): Promise<Digest> {
    return prepareDigest(this.deps.sources, { guildId: schedule.guildId, windowMs: schedule.windowMs, now, previous });
  }
}
