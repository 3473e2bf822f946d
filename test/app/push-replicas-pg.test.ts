/**
 * The push use case in two API replicas on one PostgreSQL, in process: a run pushed through both alternately (a load
 * balancer without stickiness) is stored once per point, retried batches are duplicates on either replica, and each
 * replica brings its copy of the run up to date with the points the other stored since, instead of reloading the
 * whole run every batch. Skipped (with a notice) when the PostgreSQL binaries are not installed.
 */
import { describe, expect, it } from 'vitest';
import { PushConflictError, PushService } from '../../src/app/push-run.ts';
import type { PushPoint } from '../../src/app/live-series.ts';
import type { Stores } from '../../src/store/open-stores.ts';
import { openPgStores } from '../../src/store/pg/open-pg-stores.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { testCluster, useStoreBackends } from '../support/store-backends.ts';

useStoreBackends();

const who = { guildId: 'g1', tokenId: 't_test' };

describe.runIf(postgresAvailable())('PushService replicas sharing PostgreSQL', { timeout: 120_000 }, () => {
  it('keep an alternately pushed run exact, each catching up with the points stored since instead of rereading the run', async () => {
    const url = await testCluster().migratedDatabase();
    const opened: Stores[] = [await openPgStores(url, { poolSize: 4 }), await openPgStores(url, { poolSize: 4 })];
    try {
      const loads = [0, 0];
      const replicas = opened.map((stores, i) => {
        const getRun = stores.runs.getRun.bind(stores.runs);
        stores.runs.getRun = (ref) => (loads[i]!++, getRun(ref));
        return new PushService({ runs: stores.runs, push: stores.push, alerts: null, sharedLock: stores.sharedLock!, alwaysDiagnoseBelow: 40, rediagnoseIntervalMs: 0 });
      });
      const [a, b] = replicas as [PushService, PushService];
      const { run } = await a.createRun(who, { name: 'alternating' });
      // Two steps a batch; accuracy turns out to be in percent at batch 20 (the earlier points are rescaled in the store).
      const batch = (k: number): PushPoint[] =>
        [2 * k, 2 * k + 1].map((step) => ({ step, epoch: step / 8, metrics: { loss: 1 / (step + 1), accuracy: k < 20 ? step / 100 : 40 + step / 10, ...(k >= 10 ? { lr: 0.1 } : {}) } }));
      let expectedPoints = 0;
      for (let k = 0; k < 40; k++) {
        const r = await replicas[k % 2]!.pushMetrics(who, run.id, batch(k));
        const n = k >= 10 ? 6 : 4;
        expectedPoints += n;
        expect([r.accepted, r.duplicates, r.points]).toEqual([n, 0, expectedPoints]);
        // Every third batch is sent again to the other replica (a client retrying after a timeout).
        if (k % 3 === 0) expect((await replicas[(k + 1) % 2]!.pushMetrics(who, run.id, batch(k))).accepted).toBe(0);
      }
      const loaded = loads[0]! + loads[1]!;
      const stored = (await opened[0]!.runs.getRun(run.id))!;
      expect(stored.points).toBe(expectedPoints);
      const bySeries = Object.fromEntries(stored.series.map((s) => [s.name, Array.from(s.steps)]));
      expect(bySeries.loss).toEqual(Array.from({ length: 80 }, (_, i) => i));
      expect(bySeries.lr).toEqual(Array.from({ length: 60 }, (_, i) => i + 20));
      const acc = Array.from(stored.series.find((s) => s.name === 'accuracy')!.values);
      expect(acc.slice(0, 2)).toEqual([0, 0.01 / 100]);
      expect(acc.at(-1)).toBeCloseTo((40 + 7.9) / 100, 12);
      // Each replica read the run whole once, and once more after the percent rescale changed points it held; the
      // other batches caught up with what the other replica stored since.
      expect(loaded).toBe(4);
      // Both judge the same points; a run finished on one takes no more points on the other.
      expect((await a.verdict(who, run.id)).run.points).toBe(expectedPoints);
      expect((await b.verdict(who, run.id)).run.points).toBe(expectedPoints);
      await b.finishRun(who, run.id, 'finished');
      await expect(a.pushMetrics(who, run.id, batch(40))).rejects.toBeInstanceOf(PushConflictError);
    } finally {
      for (const s of opened) await s.close();
    }
  });
});
