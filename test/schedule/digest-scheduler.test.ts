/** The scheduler with a fake clock: slots fire on time, one late digest after downtime, one post per slot across processes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { SqliteDigestStore } from '../../src/store/sqlite-digest-store.ts';
import { DigestScheduler, type DigestSlot } from '../../src/schedule/digest-scheduler.ts';
import { buildDigest } from '../../src/app/build-digest.ts';
import type { DigestSchedule } from '../../src/store/digest-store.ts';
import { silentLogger } from '../../src/logger.ts';
import { FakeClock } from '../support/fake-clock.ts';

const T0 = Date.parse('2026-11-23T08:00:00Z'); // a Monday
const H = 3_600_000;
const D = 24 * H;
const at9 = (day: number) => T0 + day * D + H;

interface Posted {
  by: string;
  schedule: string;
  slot: DigestSlot;
}

describe('DigestScheduler', () => {
  let dir: string;
  let dbs: Database[];
  let posted: Posted[];
  let failPosts: number;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'runmedic-digests-'));
    dbs = [];
    posted = [];
    failPosts = 0;
  });
  afterEach(() => {
    for (const db of dbs) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One "process": its own connection to the shared database file. */
  function processOn(clock: FakeClock, name: string) {
    const db = openDatabase(path.join(dir, 'runmedic.db'));
    dbs.push(db);
    const store = new SqliteDigestStore(db);
    const scheduler = new DigestScheduler({
      store,
      clock,
      timer: clock,
      log: silentLogger(),
      instanceId: name,
      build: async (schedule, previous, now) => {
        // Yield so two processes really interleave between claim and post.
        await new Promise((r) => setTimeout(r, 5));
        return { ...buildDigest({ runs: [], window: { from: now - schedule.windowMs, to: now }, previous, queuedJobs: 0 }), state: { ...previous, [`seen@${now}`]: 'healthy' } };
      },
      post: async (schedule: DigestSchedule, _digest, slot) => {
        if (failPosts > 0) {
          failPosts--;
          throw new Error('discord is down');
        }
        posted.push({ by: name, schedule: schedule.id, slot });
        return { messageId: `m${posted.length}` };
      },
    });
    return { store, scheduler };
  }

  const schedule = (createdAt: number): DigestSchedule => ({
    id: 'd_daily',
    guildId: 'g1',
    channelId: 'c1',
    cron: '0 9 * * *',
    timezone: 'UTC',
    windowMs: D,
    createdAt,
    createdBy: 'u1',
  });

  it('posts at each slot while running, on time and not late, comparing with the digest before', async () => {
    const clock = new FakeClock(T0);
    const p = processOn(clock, 'A');
    await p.store.addSchedule(schedule(T0));
    await p.scheduler.start();
    expect(posted).toEqual([]);
    for (const day of [0, 1, 2]) {
      clock.advanceTo(at9(day) + 30 * 60_000);
      await p.scheduler.idle();
    }
    expect(posted.map((x) => [x.slot.slotAt, x.slot.late])).toEqual([
      [at9(0), false],
      [at9(1), false],
      [at9(2), false],
    ]);
    // Each digest was built from the state the one before left (the stub adds one key per digest).
    const built = (day: number) => `seen@${at9(day) + 30 * 60_000}`;
    expect((await p.store.lastPosted({ scheduleId: 'd_daily' }))?.state).toEqual({ [built(0)]: 'healthy', [built(1)]: 'healthy', [built(2)]: 'healthy' });
    await p.scheduler.stop();
    expect(clock.armedCount).toBe(0);
  });

  it('posts ONE late digest at start for slots missed while down, for the newest missed slot, and none on a second restart', async () => {
    const clock = new FakeClock(T0);
    const a = processOn(clock, 'A');
    await a.store.addSchedule(schedule(T0));
    await a.scheduler.start();
    clock.advanceTo(at9(0) + 60_000);
    await a.scheduler.idle();
    await a.scheduler.stop();

    // Down from Monday 09:01 to Thursday 12:00: Tuesday, Wednesday and Thursday 09:00 were missed.
    clock.jumpTo(at9(3) + 3 * H);
    const b = processOn(clock, 'B');
    await b.scheduler.start();
    await b.scheduler.idle();
    expect(posted.map((x) => [x.by, x.slot.slotAt, x.slot.late])).toEqual([
      ['A', at9(0), false],
      ['B', at9(3), true],
    ]);
    await b.scheduler.stop();

    const c = processOn(clock, 'C');
    await c.scheduler.start();
    await c.scheduler.idle();
    expect(posted).toHaveLength(2);
    // And the next slot is on time again.
    clock.advanceTo(at9(4));
    await c.scheduler.idle();
    expect(posted.at(-1)).toMatchObject({ by: 'C', slot: { slotAt: at9(4), late: false } });
    await c.scheduler.stop();
  });

  it('does not post a late digest for slots before the schedule was created', async () => {
    const clock = new FakeClock(at9(2) + H);
    const p = processOn(clock, 'A');
    await p.store.addSchedule(schedule(at9(2) + 30 * 60_000));
    await p.scheduler.start();
    await p.scheduler.idle();
    expect(posted).toEqual([]);
    await p.scheduler.stop();
  });

  it('two processes on one database post each slot once, on time and after downtime', async () => {
    const clock = new FakeClock(T0);
    const a = processOn(clock, 'A');
    const b = processOn(clock, 'B');
    await a.store.addSchedule(schedule(T0));
    await Promise.all([a.scheduler.start(), b.scheduler.start()]);
    expect([a.scheduler.armedIds(), b.scheduler.armedIds()]).toEqual([['d_daily'], ['d_daily']]);
    clock.advanceTo(at9(1) + 60_000);
    await Promise.all([a.scheduler.idle(), b.scheduler.idle()]);
    expect(posted.map((x) => x.slot.slotAt)).toEqual([at9(0), at9(1)]);
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);

    clock.jumpTo(at9(3) + H);
    const c = processOn(clock, 'C');
    const d = processOn(clock, 'D');
    await Promise.all([c.scheduler.start(), d.scheduler.start()]);
    await Promise.all([c.scheduler.idle(), d.scheduler.idle()]);
    expect(posted.map((x) => [x.slot.slotAt, x.slot.late])).toEqual([
      [at9(0), false],
      [at9(1), false],
      [at9(3), true],
    ]);
    await Promise.all([c.scheduler.stop(), d.scheduler.stop()]);
  });

  it('picks up within five minutes a schedule another process added, and drops one it removed', async () => {
    const clock = new FakeClock(T0);
    const a = processOn(clock, 'A');
    const b = processOn(clock, 'B');
    await Promise.all([a.scheduler.start(), b.scheduler.start()]);
    // Added through process A's store only (as /digest schedule on A would, before A dies).
    await a.store.addSchedule(schedule(T0));
    await a.scheduler.stop();
    expect(b.scheduler.armedIds()).toEqual([]);
    clock.advanceTo(T0 + 5 * 60_000);
    await b.scheduler.idle();
    expect(b.scheduler.armedIds()).toEqual(['d_daily']);
    clock.advanceTo(at9(0));
    await b.scheduler.idle();
    expect(posted.map((x) => [x.by, x.slot.slotAt])).toEqual([['B', at9(0)]]);
    await a.store.removeSchedule('g1', 'd_daily');
    clock.advanceTo(at9(0) + 5 * 60_000);
    await b.scheduler.idle();
    expect(b.scheduler.armedIds()).toEqual([]);
    await b.scheduler.stop();
  });

  it('posts, once and late, a slot that fell before the sync picked the schedule up', async () => {
    const clock = new FakeClock(T0);
    const a = processOn(clock, 'A');
    const b = processOn(clock, 'B');
    await b.scheduler.start();
    await a.store.addSchedule({ ...schedule(T0), cron: '2 8 * * *' });
    clock.advanceTo(T0 + 5 * 60_000);
    await b.scheduler.idle();
    expect(posted.map((x) => [x.by, x.slot.slotAt, x.slot.late])).toEqual([['B', T0 + 2 * 60_000, true]]);
    await b.scheduler.stop();
  });

  it('gives a slot back when posting fails, so the next start posts it late', async () => {
    const clock = new FakeClock(T0);
    const a = processOn(clock, 'A');
    await a.store.addSchedule(schedule(T0));
    await a.scheduler.start();
    failPosts = 1;
    clock.advanceTo(at9(0) + 60_000);
    await a.scheduler.idle();
    expect(posted).toEqual([]);
    await a.scheduler.stop();
    const b = processOn(clock, 'B');
    await b.scheduler.start();
    await b.scheduler.idle();
    expect(posted.map((x) => [x.slot.slotAt, x.slot.late])).toEqual([[at9(0), true]]);
    await b.scheduler.stop();
  });

  it('a removed schedule is never claimed', async () => {
    const clock = new FakeClock(T0);
    const p = processOn(clock, 'A');
    await p.store.addSchedule(schedule(T0));
    await p.scheduler.start();
    // Removed by another process: this one still has it armed.
    expect(await p.store.removeSchedule('g1', 'd_daily')).toBe(true);
    clock.advanceTo(at9(0));
    await p.scheduler.idle();
    expect(posted).toEqual([]);
    await p.scheduler.stop();
  });
});
