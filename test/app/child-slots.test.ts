import { describe, expect, it } from 'vitest';
import { ChildSlots } from '../../src/app/child-slots.ts';

describe('ChildSlots', () => {
  it('runs at most N at once, the rest in arrival order, and frees a slot when work fails', async () => {
    const slots = new ChildSlots(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const job = (k: number, fail = false) =>
      slots.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        order.push(k);
        if (fail) throw new Error(`job ${k}`);
        return k;
      });
    const results = await Promise.allSettled([job(1), job(2, true), job(3), job(4), job(5)]);
    expect(peak).toBe(2);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(order.slice(2)).toEqual([3, 4, 5]);
  });
});
