import { describe, expect, it } from 'vitest';
import { NodeCronTimer } from '../../src/schedule/clock.ts';

describe('NodeCronTimer', () => {
  it('calls back through node-cron with the slot floored to the minute, and stops', async () => {
    const timer = new NodeCronTimer();
    const slots: number[] = [];
    // A seconds field makes node-cron fire within a second; digests themselves refuse one (cron-slots).
    const armed = timer.arm({ name: 'clock-test', cron: '* * * * * *', timezone: 'UTC' }, (at) => slots.push(at));
    const started = Date.now();
    while (slots.length === 0 && Date.now() - started < 3000) await new Promise((r) => setTimeout(r, 50));
    armed.stop();
    expect(slots.length).toBeGreaterThan(0);
    expect(slots[0]! % 60_000).toBe(0);
    expect(Math.abs(slots[0]! - Date.now())).toBeLessThan(61_000);
    const count = slots.length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(slots.length).toBe(count);
  });
});
