/**
 * Posts digests on their cron schedules. Schedules live in the store and are armed again at start; a slot missed
 * while no process ran is posted once at start, marked late (only the newest missed slot, not one per slot).
 * Before posting, a process claims the slot in the store: with several processes on one database, exactly one posts.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { Digest } from '../app/build-digest.ts';
import type { DigestSchedule, DigestState, DigestStore } from '../store/digest-store.ts';
import type { ArmedSlot, Clock, SlotTimer } from './clock.ts';
import { previousSlot } from './cron-slots.ts';

export interface DigestSlot {
  /** The cron slot, ms since the Unix epoch. */
  slotAt: number;
  /** Posted at start for a slot missed while down. */
  late: boolean;
}

export interface DigestSchedulerOptions {
  store: DigestStore;
  clock: Clock;
  timer: SlotTimer;
  log: Logger;
  /** Builds the digest of a schedule (window ending now, compared with `previous`). */
  build(schedule: DigestSchedule, previous: DigestState | null, now: number): Promise<Digest>;
  /** Posts it to the schedule's channel; the message id when Discord gave one. */
  post(schedule: DigestSchedule, digest: Digest, slot: DigestSlot): Promise<{ messageId: string | null }>;
  /** Names this process in claimed slots (logs and debugging). */
  instanceId?: string;
}

/** How often a process looks for schedules other processes added or removed. */
const SYNC_CRON = '*/5 * * * *';

export type SlotOutcome = 'posted' | 'taken' | 'failed';

export class DigestScheduler {
  readonly instanceId: string;
  private readonly armed = new Map<string, ArmedSlot>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;
  private syncHandle: ArmedSlot | null = null;

  constructor(private readonly opts: DigestSchedulerOptions) {
    this.instanceId = opts.instanceId ?? `p${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  /** Arms every stored schedule and posts, once each, digests missed while no process was running. */
  async start(): Promise<void> {
    this.stopped = false;
    const schedules = await this.opts.store.listSchedules();
    for (const s of schedules) this.arm(s);
    // Schedules added or removed by another process on the same database are picked up within minutes.
    this.syncHandle = this.opts.timer.arm({ name: 'digest schedule sync', cron: SYNC_CRON, timezone: 'UTC' }, () => {
      void this.track(this.sync());
    });
    await Promise.all(schedules.map((s) => this.track(this.catchUp(s))));
  }

  /** Arms schedules the store has and this process does not, and disarms the ones gone from the store. */
  async sync(): Promise<void> {
    if (this.stopped) return;
    const schedules = await this.opts.store.listSchedules();
    const ids = new Set(schedules.map((s) => s.id));
    for (const id of this.armedIds()) if (!ids.has(id)) this.disarm(id);
    const fresh = schedules.filter((s) => !this.armed.has(s.id));
    for (const s of fresh) this.arm(s);
    // A slot that fell between the other process stopping and this sync is still owed, once.
    await Promise.all(fresh.map((s) => this.catchUp(s)));
  }

  arm(schedule: DigestSchedule): void {
    if (this.stopped || this.armed.has(schedule.id)) return;
    const handle = this.opts.timer.arm({ name: `digest ${schedule.id}`, cron: schedule.cron, timezone: schedule.timezone }, (slotAt) => {
      void this.track(this.runSlot(schedule, { slotAt, late: false }));
    });
    this.armed.set(schedule.id, handle);
  }

  disarm(scheduleId: string): void {
    this.armed.get(scheduleId)?.stop();
    this.armed.delete(scheduleId);
  }

  armedIds(): string[] {
    return [...this.armed.keys()];
  }

  /** Resolves once every digest being built or posted is done. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.syncHandle?.stop();
    this.syncHandle = null;
    for (const id of [...this.armed.keys()]) this.disarm(id);
    await this.idle();
  }

  /** Claims the slot, builds and posts the digest; 'taken' when another process (or an earlier tick) has it. */
  async runSlot(schedule: DigestSchedule, slot: DigestSlot): Promise<SlotOutcome> {
    const { store, clock, log } = this.opts;
    const claimed = await store.claimSlot(schedule.id, slot.slotAt, this.instanceId, clock.now(), slot.late);
    if (!claimed) {
      log.debug({ scheduleId: schedule.id, slotAt: slot.slotAt }, 'digest slot already claimed');
      return 'taken';
    }
    try {
      const previous = await store.lastPosted({ scheduleId: schedule.id });
      const digest = await this.opts.build(schedule, previous?.state ?? null, clock.now());
      const { messageId } = await this.opts.post(schedule, digest, slot);
      await store.markPosted(schedule.id, slot.slotAt, messageId, digest.state, clock.now());
      log.info({ scheduleId: schedule.id, slotAt: slot.slotAt, late: slot.late, runs: digest.entries.length, messageId }, 'digest posted');
      return 'posted';
    } catch (err) {
      // Given back so a later start posts it late rather than never.
      await store.releaseSlot(schedule.id, slot.slotAt).catch(() => undefined);
      log.error({ err, scheduleId: schedule.id, slotAt: slot.slotAt }, 'digest not posted');
      return 'failed';
    }
  }

  private async catchUp(schedule: DigestSchedule): Promise<void> {
    const now = this.opts.clock.now();
    const since = (await this.opts.store.lastSlotAt(schedule.id)) ?? schedule.createdAt;
    const missed = previousSlot(schedule.cron, schedule.timezone, now, since);
    if (missed === null) return;
    this.opts.log.info({ scheduleId: schedule.id, slotAt: missed }, 'posting a digest missed while down');
    await this.runSlot(schedule, { slotAt: missed, late: true });
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    return p;
  }
}
