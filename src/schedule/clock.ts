/**
 * Time for the scheduler, injected so tests drive it: `Clock` says what time it is, `SlotTimer` calls back at each
 * slot of a cron expression. Production uses the system clock and node-cron; tests use FakeClock (test/support).
 */
import cron, { type ScheduledTask } from 'node-cron';
import { floorToMinute } from './cron-slots.ts';

export interface Clock {
  /** ms since the Unix epoch */
  now(): number;
}

export interface ArmedSlot {
  stop(): void;
}

export interface SlotTimer {
  /** Calls `onSlot(slotAt)` at every slot of `cron` in `timezone` until stopped; slotAt is ms since the Unix epoch. */
  arm(spec: { name: string; cron: string; timezone: string }, onSlot: (slotAt: number) => void): ArmedSlot;
}

export const systemClock: Clock = { now: () => Date.now() };

/** node-cron v4 behind SlotTimer. */
export class NodeCronTimer implements SlotTimer {
  arm(spec: { name: string; cron: string; timezone: string }, onSlot: (slotAt: number) => void): ArmedSlot {
    const task: ScheduledTask = cron.schedule(spec.cron, (ctx) => onSlot(floorToMinute(ctx.date.getTime())), {
      timezone: spec.timezone,
      name: spec.name,
      // A late tick (event loop busy) still belongs to its slot; the claim in the store stops doubles.
      suppressMissedWarning: true,
    });
    return {
      stop: () => {
        void Promise.resolve(task.destroy()).catch(() => undefined);
      },
    };
  }
}
