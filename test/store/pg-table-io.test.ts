/**
 * `runmedic import` into PostgreSQL (src/store/transfer/pg-table-io.ts): the point chunks go in with a binary COPY and
 * come back byte for byte, every column; a batch whose values are not of their columns' types is INSERTed instead
 * (binary COPY would misread them); a COPY the server refuses fails the whole import, which keeps nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openPgPool, type PgPool } from '../../src/store/pg/pg-database.ts';
import { PgRunStore } from '../../src/store/pg/pg-run-store.ts';
import { pgTableIO } from '../../src/store/transfer/pg-table-io.ts';
import { TABLES, type Row, type TableIO } from '../../src/store/transfer/table-io.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { runLog, series, source } from '../support/run-log-fixtures.ts';
import { testCluster, useStoreBackends } from '../support/store-backends.ts';

useStoreBackends();

describe.runIf(postgresAvailable())('pgTableIO.write', { timeout: 60_000 }, () => {
  const pools: PgPool[] = [];
  afterEach(async () => {
    for (const p of pools.splice(0)) await p.end();
  });
  const pool = async () => {
    const p = await openPgPool(await testCluster().migratedDatabase(), { migrate: false, max: 2 });
    pools.push(p);
    return p;
  };
  /** The statements `p`'s clients are sent (COPY is a Submittable with a `text`). */
  const statements = (p: PgPool): string[] => {
    const sent: string[] = [];
    const spied = new WeakSet<object>();
    p.on('acquire', (c) => {
      if (spied.has(c)) return;
      spied.add(c);
      const query = c.query.bind(c) as (...a: unknown[]) => unknown;
      (c as unknown as { query: (...a: unknown[]) => unknown }).query = (q: unknown, ...rest: unknown[]) => {
        sent.push(typeof q === 'string' ? q : String((q as { text?: string }).text));
        return query(q, ...rest);
      };
    });
    return sent;
  };
  const readAll = async (io: TableIO): Promise<Record<string, Row[]>> => {
    const out: Record<string, Row[]> = {};
    for (const t of TABLES) {
      out[t] = [];
      for await (const b of io.read(t)) out[t].push(...b);
    }
    return out;
  };
  /** A database with runs whose chunks have steps only, epochs and wall times, and several chunks per series. */
  const source_ = async () => {
    const p = await pool();
    const store = new PgRunStore(p, { chunkPoints: 100 });
    const n = 250;
    const xs = Array.from({ length: n }, (_, i) => i);
    await store.saveRuns([
      { log: runLog('plain', [series('loss', xs.map((i) => 1 / (i + 1))), series('val_loss', xs.map((i) => 2 / (i + 1)))]), source: source('plain') },
      { log: runLog('timed', [series('loss', xs.map((i) => i * 0.5), { cadence: 'step', epochs: xs.map((i) => Math.floor(i / 10)), wallTimes: xs.map((i) => 1.7e9 + i) })]), source: source('timed') },
    ]);
    return readAll(pgTableIO(p));
  };
  const load = async (io: TableIO, tables: Record<string, Row[]>, batch = 256) =>
    io.write(async (insert) => {
      for (const t of TABLES) for (let i = 0; i < tables[t]!.length; i += batch) await insert(t, tables[t]!.slice(i, i + batch));
    });

  it('copies the chunks in, and they read back byte for byte with every other table', async () => {
    const dump = await source_();
    expect(dump.chunks!.length).toBe(9);
    expect(dump.chunks!.some((c) => c.epochs !== null && c.wall_times !== null)).toBe(true);
    expect(dump.chunks!.some((c) => c.epochs === null)).toBe(true);
    const target = await pool();
    const sent = statements(target);
    await load(pgTableIO(target), dump, 3);
    expect(sent.filter((s) => s.startsWith('COPY chunks')).length).toBe(3);
    expect(sent.some((s) => s.startsWith('INSERT INTO chunks'))).toBe(false);
    expect(await readAll(pgTableIO(target))).toEqual(dump);
  });

  it('INSERTs a batch whose values are not of their columns\' types, which the server converts', async () => {
    const dump = await source_();
    const target = await pool();
    const sent = statements(target);
    // A dump edited by hand or written by another tool: a number as a string (as COPY's binary int4 it would be misread).
    const edited = { ...dump, chunks: dump.chunks!.map((c, i) => (i === 0 ? { ...c, series_idx: String(c.series_idx) } : c)) };
    await load(pgTableIO(target), edited, 5);
    expect(sent.filter((s) => s.startsWith('INSERT INTO chunks')).length).toBe(1);
    expect(sent.filter((s) => s.startsWith('COPY chunks')).length).toBe(1);
    expect(await readAll(pgTableIO(target))).toEqual(dump);
  });

  it('fails the whole import when the server refuses a copied chunk, and keeps nothing', async () => {
    const dump = await source_();
    const target = await pool();
    const io = pgTableIO(target);
    const twice = { ...dump, chunks: [...dump.chunks!, dump.chunks![0]!] };
    await expect(load(io, twice)).rejects.toThrow(/duplicate key value violates unique constraint/);
    for (const t of ['runs', 'series', 'chunks'] as const) expect(await io.rowCount(t)).toBe(0);
    await load(io, dump);
    expect(await readAll(io)).toEqual(dump);
  });
});
