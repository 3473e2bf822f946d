/**
 * Writing points on PostgreSQL: chunk inserts in multi-row statements, and appends with the same tail of small chunks
 * as SQLite (see MAX_TAIL_CHUNKS in sqlite-run-store.ts), inside the caller's transaction.
 */
import type { Series } from '../../domain/run.ts';
import { decodeColumnInto, encodeColumn } from '../column-codec.ts';
import { EpochTally } from '../epoch-tally.ts';
import { RunNotFoundError, type AppendOptions } from '../run-store.ts';
import { MAX_TAIL_CHUNKS } from '../sqlite-run-store.ts';
import { checkColumns, mergeTail } from '../series-chunks.ts';
import type { Queryable } from './pg-database.ts';
import { RUN_COLUMNS, type RunRow } from './pg-run-store.ts';

/** Chunks per INSERT: 8 parameters a row, at most ~8 MB of hex-encoded bytea a statement. */
const ROWS_PER_INSERT = 64;


/** Writes every point of each `s` as chunks of `chunkPoints`, numbered from `seq`, in as few statements as fit. */
export async function insertChunks(c: Queryable, runId: string, pieces: { idx: number; seq: number; s: Series }[], chunkPoints: number): Promise<void> {
  let values: unknown[] = [];
  let rows: string[] = [];
  const flush = async () => {
    if (!rows.length) return;
    await c.query(`INSERT INTO chunks (run_id, series_idx, seq, n, steps, epochs, wall_times, vals) VALUES ${rows.join(', ')}`, values);
    values = [];
    rows = [];
  };
  for (const { idx, seq: first, s } of pieces) {
    let seq = first;
    const n = s.values.length;
    for (let a = 0; a < n; a += chunkPoints, seq++) {
      const b = Math.min(n, a + chunkPoints);
      const k = values.length;
      rows.push(`($${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, $${k + 5}, $${k + 6}, $${k + 7}, $${k + 8})`);
      // Copies: encodeColumn returns a view of the caller's array, and pg reads params only when the query is sent.
      values.push(
        runId, idx, seq, b - a,
        Buffer.from(encodeColumn(s.steps.subarray(a, b), false)),
        s.epochs ? copy(encodeColumn(s.epochs.subarray(a, b))) : null,
        s.wallTimes ? copy(encodeColumn(s.wallTimes.subarray(a, b))) : null,
        Buffer.from(encodeColumn(s.values.subarray(a, b), false)),
      );
      if (rows.length >= ROWS_PER_INSERT) await flush();
    }
  }
  await flush();
}

const copy = (b: Buffer | null) => (b === null ? null : Buffer.from(b));

interface SeriesRow {
  idx: number;
  name: string;
  cadence: string;
  points: number;
}

/**
 * One append, in the caller's transaction. The run's row is locked first: two API replicas appending to one run take
 * turns, so the tail, the point counts and the epoch state never interleave. A push batch costs a fixed handful of
 * statements whatever its number of series (the run's lock, its series, the tails, one chunk insert, one series
 * update, the run's totals): each statement is a round trip, which is what an append costs on PostgreSQL.
 */
export async function appendToRun(
  c: Queryable,
  runId: string,
  series: Series[],
  opts: AppendOptions,
  o: { chunkPoints: number; now: number },
): Promise<RunRow> {
  // A name given twice appends twice, in order: one series at a time then (never seen from the faces; kept exact).
  if (new Set(series.map((x) => x.name)).size !== series.length) {
    let last: RunRow | undefined;
    for (const [i, one] of series.entries()) last = await appendToRun(c, runId, [one], i === 0 ? opts : {}, o);
    return last!;
  }
  const totals = (await c.query<{ points: number; epoch_max: number | null; epoch_zero: number; notes: string; meta: string }>(
    'SELECT points, epoch_max, epoch_zero, notes, meta FROM runs WHERE id = $1 FOR UPDATE',
    [runId],
  )).rows[0];
  if (!totals) throw new RunNotFoundError(runId);
  // Its own statement, after the lock: in read committed a statement sees what committed before it began, so the
  // series another replica added while we waited for the lock are seen here (not in a subquery of the locking one).
  const existing = (await c.query<SeriesRow>('SELECT idx, name, cadence, points FROM series WHERE run_id = $1 ORDER BY idx', [runId])).rows;
  const tally = EpochTally.of(totals.epoch_max, totals.epoch_zero);
  let points = totals.points;
  const byName = new Map(existing.map((r) => [r.name, r]));
  for (const { name, divisor } of opts.rescale ?? []) {
    const row = byName.get(name);
    if (row) await divideValues(c, runId, row.idx, divisor);
  }
  if (opts.notes?.length || opts.meta) {
    const notes = [...(JSON.parse(totals.notes) as string[]), ...(opts.notes ?? [])];
    const meta = { ...(JSON.parse(totals.meta) as Record<string, unknown>), ...opts.meta };
    await c.query('UPDATE runs SET notes = $1, meta = $2 WHERE id = $3', [JSON.stringify(notes), JSON.stringify(meta), runId]);
  }
  let nextIdx = existing.reduce((m, r) => Math.max(m, r.idx + 1), 0);
  const newSeries: { idx: number; s: Series }[] = [];
  const appends: { row: SeriesRow; s: Series }[] = [];
  for (const s of series) {
    const row = byName.get(s.name);
    points += s.values.length;
    if (!row) {
      const idx = nextIdx++;
      newSeries.push({ idx, s });
      tally.add(s, true);
      byName.set(s.name, { idx, name: s.name, cadence: s.cadence, points: s.values.length });
      continue;
    }
    if (s.values.length === 0) continue;
    appends.push({ row, s });
    tally.add({ cadence: row.cadence as Series['cadence'], steps: s.steps, epochs: s.epochs }, row.points === 0);
  }
  if (newSeries.length) {
    const values: unknown[] = [runId];
    const tuples = newSeries.map(({ idx, s }) => {
      values.push(idx, s.key, s.split, s.name, s.direction, s.cadence, s.values.length);
      const k = values.length - 7;
      return `($1, $${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, $${k + 5}, $${k + 6}, $${k + 7})`;
    });
    await c.query(`INSERT INTO series (run_id, idx, key, split, name, direction, cadence, points) VALUES ${tuples.join(', ')}`, values);
  }
  const pieces = newSeries.map(({ idx, s }) => ({ idx, seq: 0, s }));
  if (appends.length) {
    const tails = await seriesTails(c, runId, appends.map((a) => a.row.idx), o.chunkPoints);
    for (const { row, s } of appends) {
      const piece = await appendPiece(c, runId, row, s, tails.get(row.idx)!, o.chunkPoints);
      if (piece) pieces.push(piece);
      row.points += s.values.length;
    }
    await c.query('UPDATE series SET points = v.p FROM unnest($2::int[], $3::int[]) AS v(idx, p) WHERE series.run_id = $1 AND series.idx = v.idx', [
      runId, appends.map((a) => a.row.idx), appends.map((a) => a.row.points),
    ]);
  }
  await insertChunks(c, runId, pieces, o.chunkPoints);
  const { epochMax, epochZero } = tally.stored;
  const r = await c.query<RunRow>(
    `UPDATE runs SET points = $1, epochs = $2, epoch_max = $3, epoch_zero = $4, updated_at = $5 WHERE id = $6 RETURNING ${RUN_COLUMNS}`,
    [points, tally.count, epochMax, epochZero, o.now, runId],
  );
  return r.rows[0]!;
}

interface Tail {
  chunks: number;
  points: number;
  first: number | null;
  last: number | null;
}

/** The tail of each series (the chunks after its last full one, see MAX_TAIL_CHUNKS) and its last seq, in one query. */
async function seriesTails(c: Queryable, runId: string, idxs: number[], chunkPoints: number): Promise<Map<number, Tail>> {
  const r = await c.query<Tail & { idx: number }>(
    `SELECT s.idx, COUNT(ch.seq)::int AS chunks, COALESCE(SUM(ch.n), 0)::int AS points, MIN(ch.seq) AS first,
            (SELECT MAX(seq) FROM chunks WHERE run_id = $1 AND series_idx = s.idx) AS last
     FROM unnest($2::int[]) AS s(idx)
     LEFT JOIN chunks ch ON ch.run_id = $1 AND ch.series_idx = s.idx AND ch.seq > COALESCE(
       (SELECT seq FROM chunks WHERE run_id = $1 AND series_idx = s.idx AND n >= $3 ORDER BY seq DESC LIMIT 1), -1)
     GROUP BY s.idx`,
    [runId, idxs, chunkPoints],
  );
  return new Map(r.rows.map((t) => [t.idx, t]));
}

async function divideValues(c: Queryable, runId: string, idx: number, divisor: number): Promise<void> {
  const rows = (await c.query<{ seq: number; n: number; vals: Buffer }>('SELECT seq, n, vals FROM chunks WHERE run_id = $1 AND series_idx = $2 ORDER BY seq', [runId, idx])).rows;
  for (const ch of rows) {
    const values = new Float64Array(ch.n);
    decodeColumnInto(ch.vals, ch.n, values, 0);
    for (let i = 0; i < ch.n; i++) values[i] = values[i]! / divisor;
    await c.query('UPDATE chunks SET vals = $1 WHERE run_id = $2 AND series_idx = $3 AND seq = $4', [Buffer.from(encodeColumn(values, false)), runId, idx, ch.seq]);
  }
}

interface ChunkRow {
  n: number;
  steps: Buffer;
  epochs: Buffer | null;
  wall_times: Buffer | null;
  vals: Buffer;
}

/**
 * As SqliteRunStore.appendToSeries: the points as one small chunk (returned, for the caller's one insert) while the
 * tail stays small, else the tail merged with them into full chunks, written here (null returned).
 */
async function appendPiece(c: Queryable, runId: string, row: SeriesRow, s: Series, tail: Tail, chunkPoints: number): Promise<{ idx: number; seq: number; s: Series } | null> {
  const nextSeq = tail.last === null ? 0 : tail.last + 1;
  const tailSeq = tail.first ?? nextSeq;
  const n = s.values.length;
  if (tail.chunks === 0 || (tail.points + n < chunkPoints && tail.chunks < MAX_TAIL_CHUNKS)) return { idx: row.idx, seq: nextSeq, s };
  const chunks = (await c.query<ChunkRow>(
    'SELECT n, steps, epochs, wall_times, vals FROM chunks WHERE run_id = $1 AND series_idx = $2 AND seq >= $3 ORDER BY seq', [runId, row.idx, tailSeq],
  )).rows;
  const merged = mergeTail(runId, row.name, s, tail.points, chunks);
  await c.query('DELETE FROM chunks WHERE run_id = $1 AND series_idx = $2 AND seq >= $3', [runId, row.idx, tailSeq]);
  await insertChunks(c, runId, [{ idx: row.idx, seq: tailSeq, s: merged }], chunkPoints);
  return null;
}
