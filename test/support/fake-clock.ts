/**
 * A clock tests move by hand, which is also the scheduler's timing source: `advanceTo` walks through every cron slot
 * of the armed schedules up to the target, in order, setting the time to each slot before calling back — what
 * node-cron does in real time.
 */
import type { ArmedSlot, Clock, SlotTimer } from '../../src/schedule/clock.ts';
import { nextSlot } from '../../src/schedule/cron-slots.ts';

interface Armed {
  cron: string;
  timezone: string;
  onSlot: (slotAt: number) => void;
  stopped: boolean;
}

export class FakeClock implements Clock, SlotTimer {
  private readonly armedSlots = new Set<Armed>();
  constructor(private t: number) {}

  now(): number {
    return this.t;
  }

  arm(spec: { name: string; cron: string; timezone: string }, onSlot: (slotAt: number) => void): ArmedSlot {
    const a: Armed = { cron: spec.cron, timezone: spec.timezone, onSlot, stopped: false };
    this.armedSlots.add(a);
    return {
      stop: () => {
        a.stopped = true;
        this.armedSlots.delete(a);
      },
    };
  }

  get armedCount(): number {
    return this.armedSlots.size;
  }

  /** Moves time to `target`, firing each slot passed on the way (slots exactly at `target` included). */
  advanceTo(target: number): void {
    for (;;) {
      let earliest: { at: number; a: Armed } | null = null;
      for (const a of this.armedSlots) {
        const at = nextSlot(a.cron, a.timezone, this.t);
        if (at !== null && at <= target && (!earliest || at < earliest.at)) earliest = { at, a };
      }
      if (!earliest) break;
      this.t = earliest.at;
      for (const a of [...this.armedSlots]) if (!a.stopped && nextSlot(a.cron, a.timezone, earliest.at - 1) === earliest.at) a.onSlot(earliest.at);
    }
    this.t = target;
  }

  /** Moves time without firing anything: the process was not running. */
  jumpTo(target: number): void {
    this.t = target;
  }
}
