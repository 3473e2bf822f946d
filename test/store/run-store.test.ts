import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/store/database.ts';
import { MAX_TAIL_CHUNKS, SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { countEpochs } from '../../src/domain/epochs.ts';
import { RunChangedError, RunNotFoundError } from '../../src/store/run-store.ts';
import { seededRandom } from '../../src/store/run-id.ts';
import { columns, runLog, series, source } from '../support/run-log-fixtures.ts';
import { storeBackends, useStoreBackends, type RunStoreHandle } from '../support/store-backends.ts';

// One suite, two backends: SQLite in memory and PostgreSQL (a throwaway cluster; skipped with a notice when absent).
useStoreBackends();

describe.each(storeBackends())('RunStore on $name', (backend) => {
let h: RunStoreHandle;
let clock = 1_700_000_000_000;
async function makeStore(chunkPoints = 5) {
  clock = 1_700_000_000_000;
  h = await backend.runStore({ now: () => (clock += 1000), random: seededRandom(42), chunkPoints });
  return h.store;
}
const count = (table: string) => h.count(table);
// Property runs per backend: PostgreSQL answers over a socket, so fewer cases keep the suite quick.
const runs = (n: number) => (backend.name === 'postgres' ? Math.ceil(n / 3) : n);

describe('round trip', () => {
  it('stores columnar chunks and loads them back bit for bit, NaN and ±Infinity included', async () => {
    const store = await makeStore(4);
    const loss = series('loss', [2.3, NaN, 1.1, Infinity, -Infinity, 0.5, -0, 0.25, 1e-300, 7], {
      steps: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90],
      epochs: [0, 0.5, 1, NaN, 2, 2.5, 3, 3.5, 4, 4.5],
      wallTimes: [NaN, NaN, NaN, NaN, 1.7e9, 1.7e9 + 1, NaN, NaN, NaN, NaN],
    });
    const acc = series('val_accuracy', [0.1, 0.2, 0.3]);
    const [saved] = await store.saveRuns([{ log: runLog('exp-1', [loss, acc], { notes: ['n1'], meta: { lr: 0.1 } }), source: source('h1') }]);
    expect(saved!.created).toBe(true);
    expect(saved!.run).toMatchObject({ name: 'exp-1', points: 13, status: 'finished', source: { format: 'keras_csv', fileName: 'log.csv', contentHash: 'h1' } });
    expect(saved!.run.id).toMatch(/^r_[a-z2-7]{10}$/);
    expect(await count('chunks')).toBe(3 + 1);

    const run = await store.getRun(saved!.run.id);
    expect(run).not.toBeNull();
    expect(run!.series.map((s) => [s.key, s.split, s.name, s.direction, s.cadence])).toEqual([
      ['loss', 'train', 'loss', 'lower', 'epoch'],
      ['accuracy', 'val', 'val_accuracy', 'higher', 'epoch'],
    ]);
    expect(columns(run!.series[0]!)).toEqual(columns(loss));
    expect(Object.is(run!.series[0]!.values[6], -0)).toBe(true);
    expect(columns(run!.series[1]!)).toEqual(columns(acc));
    expect(run!.series[1]!.epochs).toBeNull();
    expect(run!.notes).toEqual(['n1']);
    expect(run!.meta).toEqual({ lr: 0.1 });
  });

  it('stores arithmetic step columns in 16 bytes and all-NaN columns as NULL', async () => {
    const store = await makeStore(1000);
    const n = 500;
    const s = series('loss', Array.from({ length: n }, (_, i) => 1 / (i + 1)), {
      steps: Array.from({ length: n }, (_, i) => 100 + 5 * i),
      wallTimes: Array.from({ length: n }, () => NaN),
    });
    const [saved] = await store.saveRuns([{ log: runLog('a', [s]), source: source('h') }]);
    const row = await h.row('SELECT length(steps) AS steps, wall_times IS NULL AS "noTimes", length(vals) AS vals FROM chunks');
    expect({ steps: Number(row.steps), noTimes: Number(row.noTimes), vals: Number(row.vals) }).toEqual({ steps: 16, noTimes: 1, vals: n * 8 });
    const run = await store.getRun(saved!.run.id);
    expect(Array.from(run!.series[0]!.steps)).toEqual(Array.from(s.steps));
    expect(run!.series[0]!.wallTimes).toBeNull();
  });

  it('loads identical arithmetic step/epoch columns once, shared between series, and keeps different ones apart', async () => {
    const store = await makeStore(4);
    const n = 10;
    const idx = Array.from({ length: n }, (_, i) => i);
    const a = series('loss', idx.map((i) => 1 / (i + 1)), { steps: idx, epochs: idx });
    const b = series('val_loss', idx.map((i) => 2 / (i + 1)), { steps: idx, epochs: idx });
    const c = series('lr', idx.map(() => 0.1), { steps: idx.map((i) => i * 2), epochs: idx.map((i) => (i === 3 ? NaN : i)) });
    const [saved] = await store.saveRuns([{ log: runLog('shared', [a, b, c]), source: source('s') }]);
    const run = (await store.getRun(saved!.run.id))!;
    const [la, lb, lc] = run.series;
    expect(la!.steps).toBe(lb!.steps);
    expect(la!.epochs).toBe(la!.steps); // Keras-style: epochs equal steps
    expect(lc!.steps).not.toBe(la!.steps);
    expect(columns(la!)).toEqual(columns(a));
    expect(columns(lb!)).toEqual(columns(b));
    expect(columns(lc!)).toEqual(columns(c));
  });

  it('round-trips arbitrary float64 columns across chunk boundaries (property)', async () => {
    const store = await makeStore(3);
    let i = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double(), { minLength: 0, maxLength: 20 }),
        fc.boolean(),
        async (values, withEpochs) => {
          const s = series('m', values, { steps: values.map((_, k) => k * 2), epochs: withEpochs ? values.map((v) => v / 3) : undefined });
          const [saved] = await store.saveRuns([{ log: runLog('p', [s]), source: source(`p${i++}`) }]);
          const back = (await store.getRun(saved!.run.id))!.series[0]!;
          expect(columns(back).values).toEqual(columns(s).values);
          expect(columns(back).steps).toEqual(columns(s).steps);
          if (withEpochs && values.some((v) => !Number.isNaN(v))) expect(columns(back).epochs).toEqual(columns(s).epochs);
        },
      ),
      { numRuns: runs(60) },
    );
  });
});

describe('ingest transaction and dedupe', () => {
  it('returns the existing run for content already stored, and for a repeat within one call', async () => {
    const store = await makeStore();
    const [a] = await store.saveRuns([{ log: runLog('a', [series('loss', [1, 2])]), source: source('same') }]);
    const again = await store.saveRuns([
      { log: runLog('renamed', [series('loss', [9])]), source: source('same') },
      { log: runLog('b', [series('loss', [3])]), source: source('other') },
      { log: runLog('b-copy', [series('loss', [3])]), source: source('other') },
    ]);
    expect(again.map((r) => r.created)).toEqual([false, true, false]);
    expect(again[0]!.run.id).toBe(a!.run.id);
    expect(again[0]!.run.name).toBe('a');
    expect(again[2]!.run.id).toBe(again[1]!.run.id);
    expect(await count('runs')).toBe(2);
  });

  it('stores nothing when any run of the batch fails', async () => {
    const store = await makeStore();
    await store.saveRuns([{ log: runLog('kept', [series('loss', [1])]), source: source('k') }]);
    const good = { log: runLog('good', [series('loss', Array.from({ length: 30 }, (_, i) => i))]), source: source('g') };
    const broken = { log: runLog('bad', [series('loss', [1])], { meta: { big: 10n } }), source: source('b') };
    await expect(store.saveRuns([good, broken])).rejects.toThrow();
    const bad2 = series('loss', [1, 2, 3]);
    bad2.steps = new Float64Array(2);
    await expect(store.saveRuns([good, { log: runLog('bad2', [bad2]), source: source('b2') }])).rejects.toThrow(/different lengths/);
    expect((await store.listRuns()).map((r) => r.name)).toEqual(['kept']);
    expect(await count('series')).toBe(1);
    expect(await count('chunks')).toBe(1);
  });
});

describe('lookup, listing, deletion', () => {
  it('finds a run by id, by unique name, by id prefix; null when ambiguous or unknown', async () => {
    const store = await makeStore();
    const saved = await store.saveRuns([
      { log: runLog('alpha', [series('loss', [1])]), source: source('1') },
      { log: runLog('twin', [series('loss', [2])]), source: source('2') },
      { log: runLog('twin', [series('loss', [3])]), source: source('3') },
    ]);
    const [alpha, t1, t2] = saved.map((s) => s.run);
    expect((await store.getRun(alpha!.id))!.name).toBe('alpha');
    expect((await store.getRun('alpha'))!.id).toBe(alpha!.id);
    expect((await store.getRun(alpha!.id.slice(0, 7)))!.id).toBe(alpha!.id);
    expect((await store.getRun(alpha!.id.slice(2, 8)))!.id).toBe(alpha!.id);
    expect(await store.getRun('twin')).toBeNull();
    expect((await store.findRuns('twin')).map((r) => r.id).sort()).toEqual([t1!.id, t2!.id].sort());
    expect(await store.getRun('nope')).toBeNull();
    expect(await store.getRun('')).toBeNull();
    expect(await store.getRun('r_')).toBeNull();
  });

  it('lists newest first, with limit and status filter', async () => {
    const store = await makeStore();
    for (const n of ['first', 'second', 'third']) await store.saveRuns([{ log: runLog(n, [series('loss', [1])]), source: source(n) }]);
    await store.saveRuns([{ log: runLog('live', [series('loss', [1])]), source: source('live'), status: 'running' }]);
    expect((await store.listRuns()).map((r) => r.name)).toEqual(['live', 'third', 'second', 'first']);
    expect((await store.listRuns({ limit: 2 })).map((r) => r.name)).toEqual(['live', 'third']);
    expect((await store.listRuns({ status: 'running' })).map((r) => r.name)).toEqual(['live']);
    const done = await store.setStatus((await store.findRuns('live'))[0]!.id, 'finished');
    expect(done.status).toBe('finished');
    await expect(store.setStatus('r_missing', 'crashed')).rejects.toBeInstanceOf(RunNotFoundError);
  });

  it('deletes a run with its series and chunks', async () => {
    const store = await makeStore(2);
    const [a] = await store.saveRuns([{ log: runLog('a', [series('loss', [1, 2, 3, 4, 5])]), source: source('a') }]);
    await store.saveRuns([{ log: runLog('b', [series('loss', [1])]), source: source('b') }]);
    expect(await store.deleteRun(a!.run.id)).toBe(true);
    expect(await store.deleteRun(a!.run.id)).toBe(false);
    expect(await count('runs')).toBe(1);
    expect(await count('series')).toBe(1);
    expect(await count('chunks')).toBe(1);
  });
});

describe('SqliteRunStore.appendPoints', () => {
  it('appends to existing series across chunk boundaries, adds new series, recounts points and epochs', async () => {
    const store = await makeStore(4);
    const first = series('loss', [5, 4, 3], { steps: [0, 1, 2], epochs: [0, 0, 0] });
    const [saved] = await store.saveRuns([{ log: runLog('live', [first], { format: 'push' }), source: source('live'), status: 'running' }]);
    const id = saved!.run.id;
    expect(saved!.run.epochs).toBe(1);

    const more = series('loss', [2.5, NaN, 2, 1.5, 1.2, 1.1], { steps: [3, 4, 5, 6, 7, 8], epochs: [1, 1, 1, 2, 2, 2], wallTimes: [1, 2, 3, 4, 5, 6] });
    const lr = series('lr', [0.1, 0.1], { steps: [0, 5], cadence: 'step' });
    const after = await store.appendPoints(id, [more, lr]);
    expect(after.points).toBe(11);
    expect(after.epochs).toBe(3);
    expect(after.updatedAt).toBeGreaterThan(saved!.run.updatedAt);
    expect(await count('chunks')).toBe(3 + 1); // 9 loss points in chunks of 4, 2 lr points

    await store.appendPoints(id, [series('loss', [1.0], { steps: [9], epochs: [3] })]);
    const run = (await store.getRun(id))!;
    const loss = run.series.find((s) => s.name === 'loss')!;
    expect(Array.from(loss.values)).toEqual([5, 4, 3, 2.5, NaN, 2, 1.5, 1.2, 1.1, 1.0]);
    expect(Array.from(loss.steps)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(loss.epochs!)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
    expect(Array.from(loss.wallTimes!)).toEqual([NaN, NaN, NaN, 1, 2, 3, 4, 5, 6, NaN]);
    expect(run.series.map((s) => s.name)).toEqual(['loss', 'lr']);
    expect(run.points).toBe(12);
    expect(run.epochs).toBe(4);
  });

  it('keeps points, order and the epoch count exact over many appends of any size, with a bounded tail of small chunks (property)', async () => {
    const store = await makeStore(8);
    let r = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 60 }),
        fc.boolean(),
        fc.boolean(),
        async (sizes, withEpochs, withTimes) => {
          const [saved] = await store.saveRuns([{ log: runLog('live', []), source: source(`live${r++}`), status: 'running' }]);
          const id = saved!.run.id;
          let step = 0;
          const all: number[] = [];
          for (const size of sizes) {
            const steps = Array.from({ length: size }, () => step++);
            const values = steps.map((k) => Math.sin(k) * 1e3 + k / 7);
            all.push(...values);
            await store.appendPoints(id, [
              series('loss', values, { steps, cadence: 'step', epochs: withEpochs ? steps.map((k) => Math.floor(k / 10)) : undefined, wallTimes: withTimes ? steps.map((k) => 1e9 + k) : undefined }),
            ]);
          }
          const run = (await store.getRun(id))!;
          const loss = run.series[0];
          expect(run.points).toBe(all.length);
          if (all.length === 0) return;
          expect(Array.from(loss!.values)).toEqual(all);
          expect(Array.from(loss!.steps)).toEqual(all.map((_, k) => k));
          if (withEpochs) expect(Array.from(loss!.epochs!)).toEqual(all.map((_, k) => Math.floor(k / 10)));
          else expect(loss!.epochs).toBeNull();
          if (withTimes) expect(Array.from(loss!.wallTimes!)).toEqual(all.map((_, k) => 1e9 + k));
          expect(run.epochs).toBe(countEpochs(run.series));
          const small = Number((await h.row(`SELECT COUNT(*) AS n FROM chunks WHERE run_id = '${id}' AND n < 8`)).n);
          expect(small).toBeLessThanOrEqual(MAX_TAIL_CHUNKS);
          // Full chunks come first: small ones only at the end (the tail).
          const ns = ((await h.row(`SELECT string_agg(CAST(n AS TEXT), ',' ORDER BY seq) AS ns FROM chunks WHERE run_id = '${id}'`)).ns as string | null ?? '').split(',').filter(Boolean).map(Number);
          const firstSmall = ns.findIndex((n) => n < 8);
          if (firstSmall >= 0) expect(ns.slice(firstSmall).every((n) => n < 8)).toBe(true);
        },
      ),
      { numRuns: runs(40) },
    );
  });

  it('merges a tail of one-point appends once it reaches MAX_TAIL_CHUNKS chunks, long before a full chunk', async () => {
    const store = await makeStore(1000);
    const [saved] = await store.saveRuns([{ log: runLog('slow', []), source: source('slow'), status: 'running' }]);
    const id = saved!.run.id;
    for (let k = 0; k < 3 * MAX_TAIL_CHUNKS; k++) await store.appendPoints(id, [series('loss', [k / 2], { steps: [k] })]);
    expect(await count('chunks')).toBeLessThanOrEqual(MAX_TAIL_CHUNKS);
    const loss = (await store.getRun(id))!.series[0]!;
    expect(Array.from(loss.values)).toEqual(Array.from({ length: 3 * MAX_TAIL_CHUNKS }, (_, k) => k / 2));
  });

  it('counts epochs of epoch-cadence series without an epoch column from their steps, 0-based when the first is 0', async () => {
    const store = await makeStore(4);
    const [saved] = await store.saveRuns([{ log: runLog('k', []), source: source('k'), status: 'running' }]);
    const id = saved!.run.id;
    expect((await store.appendPoints(id, [series('loss', [3, 2], { steps: [0, 1] })])).epochs).toBe(2);
    expect((await store.appendPoints(id, [series('loss', [1.5, 1.2, 1.1], { steps: [2, 3, 4] })])).epochs).toBe(5);
    // A step-cadence series adds nothing to the count.
    expect((await store.appendPoints(id, [series('lr', [0.1], { steps: [900], cadence: 'step' })])).epochs).toBe(5);
    const run = (await store.getRun(id))!;
    expect(run.epochs).toBe(countEpochs(run.series));
  });

  it('rescales the stored points of a series before appending, and adds notes and meta, in the same transaction', async () => {
    const store = await makeStore(4);
    const [saved] = await store.saveRuns([{ log: runLog('pct', [series('acc', [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), series('loss', [3, 2])], { meta: { pushed: true } }), source: source('pct'), status: 'running' }]);
    const id = saved!.run.id;
    await store.appendPoints(id, [series('acc', [0.45, 0.5, 0.55], { steps: [6, 7, 8] })], {
      rescale: [{ name: 'acc', divisor: 100 }, { name: 'not_stored', divisor: 100 }],
      notes: ['acc: rescaled'],
      meta: { percentSeries: ['acc'] },
    });
    const run = (await store.getRun(id))!;
    expect(Array.from(run.series[0]!.values)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6].map((v) => v / 100).concat([0.45, 0.5, 0.55]));
    expect(Array.from(run.series[1]!.values)).toEqual([3, 2]);
    expect(run.notes).toEqual(['acc: rescaled']);
    expect(run.meta).toEqual({ pushed: true, percentSeries: ['acc'] });
    // A refused append rescales nothing.
    const bad = series('acc', [1, 2], { steps: [9, 10] });
    bad.epochs = new Float64Array(1);
    await expect(store.appendPoints(id, [bad], { rescale: [{ name: 'acc', divisor: 100 }] })).rejects.toThrow(/different lengths/);
    expect((await store.getRun(id))!.series[0]!.values[0]).toBe(0.1 / 100);
  });

  it.runIf(backend.name === 'sqlite')('commits appends requested together in one transaction, each one failing alone', async () => {
    const store = await makeStore(4);
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const [saved] = await store.saveRuns([{ log: runLog(name, [series('loss', [1])]), source: source(name), status: 'running' }]);
      ids.push(saved!.run.id);
    }
    const chunksBefore = await count('chunks');
    const pending = [
      store.appendPoints(ids[0]!, [series('loss', [0.5], { steps: [1] })]),
      store.appendPoints('r_missing', [series('loss', [0.5], { steps: [1] })]),
      store.appendPoints(ids[1]!, [series('loss', [0.4, 0.3], { steps: [1, 2] })]),
      store.appendPoints(ids[2]!, [series('loss', [0.2], { steps: [1] })]),
    ];
    // Nothing is written until the loop turn ends: then all four go in one transaction.
    expect(await count('chunks')).toBe(chunksBefore);
    const results = await Promise.allSettled(pending);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RunNotFoundError);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.points : null))).toEqual([2, null, 3, 2]);
    for (const [i, n] of [[0, 2], [1, 3], [2, 2]] as const) expect((await store.getRun(ids[i]))!.points).toBe(n);
  });

  it('appends only when the run is still as `expect` says, else RunChangedError and nothing written', async () => {
    const store = await makeStore(4);
    const [saved] = await store.saveRuns([{ log: runLog('live', [series('loss', [3, 2])]), source: source('exp'), status: 'running' }]);
    const id = saved!.run.id;
    const first = await store.appendPoints(id, [series('loss', [1], { steps: [2] })], { expect: saved!.run });
    expect(first.points).toBe(3);
    // Stale: the summary from before the last append, or before a status change.
    await expect(store.appendPoints(id, [series('loss', [0.9], { steps: [3] })], { expect: saved!.run })).rejects.toBeInstanceOf(RunChangedError);
    const stalled = await store.setStatus(id, 'stalled');
    await expect(store.appendPoints(id, [series('loss', [0.9], { steps: [3] })], { expect: first })).rejects.toBeInstanceOf(RunChangedError);
    const run = (await store.getRun(id))!;
    expect(Array.from(run.series[0]!.values)).toEqual([3, 2, 1]);
    expect(run.points).toBe(3);
    expect((await store.appendPoints(id, [series('loss', [0.9], { steps: [3] })], { expect: stalled })).points).toBe(4);
  });

  it.runIf(backend.name === 'postgres')('gives the points stored after those a caller knows, reading only the chunks that hold them', async () => {
    const store = await makeStore(5);
    const [saved] = await store.saveRuns([{ log: runLog('since', [series('loss', [9, 8, 7], { steps: [0, 1, 2], cadence: 'step' })], { meta: { m: 1 } }), source: source('since'), status: 'running' }]);
    const id = saved!.run.id;
    let step = 3;
    for (let k = 0; k < 12; k++) {
      const n = 1 + (k % 4);
      const steps = Array.from({ length: n }, () => step++);
      await store.appendPoints(id, [
        series('loss', steps.map((x) => x / 10), { steps, cadence: 'step', wallTimes: k > 6 ? steps.map((x) => 1e9 + x) : undefined }),
        ...(k >= 5 ? [series('acc', steps.map((x) => x / 100), { steps, cadence: 'step', epochs: steps.map((x) => x / 4) })] : []),
      ]);
    }
    const whole = (await store.getRun(id))!;
    const cut = (x: Float64Array | null, from: number) => (x ? Array.from(x.subarray(from)) : null);
    for (const from of [0, 1, 3, 4, 5, 9, 10, 17, whole.series[0]!.values.length]) {
      const since = (await store.pointsSince!(id, new Map([['loss', from]])))!;
      expect(since.run).toMatchObject({ id, points: whole.points, updatedAt: whole.updatedAt, status: 'running' });
      expect(since.meta).toEqual({ m: 1 });
      const [loss, acc] = since.series;
      expect(Array.from(loss!.values)).toEqual(cut(whole.series[0]!.values, from));
      expect(Array.from(loss!.steps)).toEqual(cut(whole.series[0]!.steps, from));
      // A column absent from the points asked for may come back null or as NaN: the same to a reader.
      const unknown = Array(loss!.values.length).fill(NaN);
      expect(loss!.wallTimes ? Array.from(loss!.wallTimes) : unknown).toEqual(cut(whole.series[0]!.wallTimes, from) ?? unknown);
      // A series not named comes whole.
      expect(Array.from(acc!.values)).toEqual(Array.from(whole.series[1]!.values));
      expect(Array.from(acc!.epochs!)).toEqual(Array.from(whole.series[1]!.epochs!));
    }
    expect(await store.pointsSince!(id, new Map([['loss', 10_000]]))).toBeNull();
    expect(await store.pointsSince!(id, new Map([['nope', 0]]))).toBeNull();
    expect(await store.pointsSince!('r_missing', new Map())).toBeNull();
  });

  it('refuses an unknown run and leaves the run untouched when a series is malformed', async () => {
    const store = await makeStore();
    await expect(store.appendPoints('r_unknown', [series('loss', [1])])).rejects.toBeInstanceOf(RunNotFoundError);
    const [saved] = await store.saveRuns([{ log: runLog('x', [series('loss', [1])]), source: source('x') }]);
    const bad = series('loss', [1, 2]);
    bad.epochs = new Float64Array(1);
    await expect(store.appendPoints(saved!.run.id, [series('acc', [0.5]), bad])).rejects.toThrow(/different lengths/);
    expect((await store.getRun(saved!.run.id))!.series.map((s) => s.name)).toEqual(['loss']);
  });
});

});

describe('SqliteRunStore on disk', () => {
  it('uses WAL and keeps runs across reopen', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-store-'));
    try {
      const file = path.join(dir, 'nested', 'r.db');
      const a = SqliteRunStore.open(file);
      const [saved] = await a.saveRuns([{ log: runLog('disk', [series('loss', [1, 2, 3])]), source: source('d') }]);
      await a.close();
      const b = SqliteRunStore.open(file);
      expect((await b.getRun('disk'))!.id).toBe(saved!.run.id);
      await b.close();
      const raw = openDatabase(file);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
