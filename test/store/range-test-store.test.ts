/**
 * The learning-rate range tests kept for Rerun with fix (lr_find_results, migration 12), on SQLite and PostgreSQL: a
 * result written by one process is read by another (two stores on one database: a restarted bot, another shard, a
 * worker), a newer test of the same files replaces the older, only the newest MAX_KEPT_RANGE_TESTS are kept, and the
 * rerun's lookup takes a stored rate before running a test of its own.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { storeBackends, testCluster, useStoreBackends } from '../support/store-backends.ts';
import { openSqliteStores } from '../../src/store/open-sqlite-stores.ts';
import { MAX_KEPT_RANGE_TESTS, MemoryRangeTestStore, type RangeTestStore } from '../../src/app/range-test-store.ts';
import { rangeTestKey, rangeTestKeyOf, rememberRangeTest, suggestedRateFor } from '../../src/app/lr-find-results.ts';
import { customJobConfig } from '../../src/app/custom-job-config.ts';
import type { Stores } from '../../src/store/open-stores.ts';

useStoreBackends();

const enc = (s: string) => new TextEncoder().encode(s);
const SPEC = JSON.stringify({ input: [2], layers: [{ dense: { units: 2, activation: 'softmax' } }] });
const config = customJobConfig({ modelBytes: enc(SPEC), modelName: 'm.json', dataBytes: enc('a,b,label\n1,2,x\n3,4,y\n'), dataName: 'd.csv', maxBytes: 1e6 }, { optimizer: 'sgd' });

/** Two processes' stores on one fresh database of the backend. */
async function twoProcesses(name: string): Promise<{ a: Stores; b: Stores; done: () => Promise<void> }> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-lrfind-'));
    const file = path.join(dir, 'db.sqlite');
    const a = openSqliteStores(file);
    const b = openSqliteStores(file);
    return { a, b, done: async () => { await a.close(); await b.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const { openPgStores } = await import('../../src/store/pg/open-pg-stores.ts');
  const url = await testCluster().migratedDatabase();
  const a = await openPgStores(url, { poolSize: 2 });
  const b = await openPgStores(url, { poolSize: 2 });
  return { a, b, done: async () => { await a.close(); await b.close(); } };
}

describe.each(storeBackends())('RangeTestStore on $name', (backend) => {
  it('a result one process stores is read by another; a newer test of the same key replaces it', async () => {
    const { a, b, done } = await twoProcesses(backend.name);
    try {
      expect(await b.rangeTests.get('k')).toBeNull();
      await a.rangeTests.put('k', { rate: 0.012, origin: 'lrfind', createdAt: 1_700_000_000_000 });
      expect(await b.rangeTests.get('k')).toEqual({ rate: 0.012, origin: 'lrfind', createdAt: 1_700_000_000_000 });
      await b.rangeTests.put('k', { rate: 3e-4, origin: 'rerun', createdAt: 1_700_000_000_500 });
      expect(await a.rangeTests.get('k')).toEqual({ rate: 3e-4, origin: 'rerun', createdAt: 1_700_000_000_500 });
    } finally {
      await done();
    }
  });

  it(`keeps the newest ${MAX_KEPT_RANGE_TESTS} keys`, async () => {
    const s = (await backend.stores()).rangeTests;
    for (let i = 0; i < MAX_KEPT_RANGE_TESTS + 5; i++) await s.put(`k${i}`, { rate: 1 / (i + 1), origin: 'rerun', createdAt: 1000 + i });
    for (const i of [0, 4]) expect(await s.get(`k${i}`)).toBeNull();
    for (const i of [5, 6, MAX_KEPT_RANGE_TESTS + 4]) expect((await s.get(`k${i}`))?.rate).toBeCloseTo(1 / (i + 1), 12);
    // Rewriting an old key keeps it (it is the newest now), and still no more than the limit.
    await s.put('k5', { rate: 0.5, origin: 'lrfind', createdAt: 4000 });
    await s.put('new', { rate: 0.25, origin: 'rerun', createdAt: 5000 });
    expect(await s.get('k5')).toMatchObject({ rate: 0.5 });
    expect(await s.get('k6')).toBeNull();
  });

  it("a rerun takes a stored rate from the database (a /lrfind another process ran) before running a test of its own, and stores what it runs", async () => {
    const { a, b, done } = await twoProcesses(backend.name);
    try {
      const key = rangeTestKey(config.custom.model.sha256, config.custom.data.sha256, null, 'sgd');
      let runs = 0;
      const run = async () => (runs++, 0.02);
      // Nothing stored yet: the test runs once, and its answer is kept for every process.
      expect(await suggestedRateFor(config, a.rangeTests, run)).toEqual({ rate: 0.02, from: 'new' });
      expect(await suggestedRateFor(config, b.rangeTests, run)).toEqual({ rate: 0.02, from: 'earlier' });
      expect(runs).toBe(1);
      // A /lrfind of the same files in another process replaces it and is named as such.
      await rememberRangeTest(b.rangeTests, key, 0.004, 'lrfind');
      expect(await suggestedRateFor(config, a.rangeTests, run)).toEqual({ rate: 0.004, from: 'lrfind' });
      // No suggestion (the loss never fell): nothing stored.
      await rememberRangeTest(a.rangeTests, 'none', null, 'lrfind');
      expect(await b.rangeTests.get('none')).toBeNull();
    } finally {
      await done();
    }
  });
});

describe('which range test a custom job may take', () => {
  it("a /lrfind's rate (the files at the default settings) serves a job at the defaults, not one whose settings shape the test otherwise", async () => {
    const store: RangeTestStore = new MemoryRangeTestStore();
    await rememberRangeTest(store, rangeTestKey(config.custom.model.sha256, config.custom.data.sha256, null, 'sgd'), 0.004, 'lrfind');
    const run = async () => 0.05;
    expect(await suggestedRateFor(config, store, run)).toEqual({ rate: 0.004, from: 'lrfind' });
    const files = { modelBytes: enc(SPEC), modelName: 'm.json', dataBytes: enc('a,b,label\n1,2,x\n3,4,y\n'), dataName: 'd.csv', maxBytes: 1e6 };
    // Batch 256 and L2 test other steps than the /lrfind did: their own test, whose rate is kept under their own key.
    expect(await suggestedRateFor(customJobConfig(files, { optimizer: 'sgd', batchSize: 256 }), store, run)).toEqual({ rate: 0.05, from: 'new' });
    expect(await suggestedRateFor(customJobConfig(files, { optimizer: 'sgd', l2: 0.01 }), store, async () => 0.03)).toEqual({ rate: 0.03, from: 'new' });
    expect(rangeTestKeyOf(customJobConfig(files, { optimizer: 'sgd', epochs: 50, learningRate: 0.3 }))).toBe(rangeTestKeyOf(config));
  });

  it('a store that cannot keep the result does not cost the rerun the rate it just measured', async () => {
    const broken: RangeTestStore = { get: async () => null, put: async () => { throw new Error('database is down'); } } as unknown as RangeTestStore;
    expect(await suggestedRateFor(config, broken, async () => 0.02)).toEqual({ rate: 0.02, from: 'new' });
  });
});

describe('MemoryRangeTestStore', () => {
  it('the same contract in memory, for a process without a database', async () => {
    const s: RangeTestStore = new MemoryRangeTestStore();
    await s.put('k', { rate: 0.1, origin: 'lrfind', createdAt: 1 });
    expect(await s.get('k')).toEqual({ rate: 0.1, origin: 'lrfind', createdAt: 1 });
    for (let i = 0; i < MAX_KEPT_RANGE_TESTS; i++) await s.put(`k${i}`, { rate: 1, origin: 'rerun', createdAt: 2 });
    expect(await s.get('k')).toBeNull();
  });
});
