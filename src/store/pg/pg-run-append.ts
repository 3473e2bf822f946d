/**
 * Writing points on PostgreSQL: an ingest's chunks in one COPY, and appends with the same tail of small chunks as
 * SQLite (see MAX_TAIL_CHUNKS in sqlite-run-store.ts).
 *
 * An append is a round trip per statement, and on a live push that is what it costs (PostgreSQL's work per statement
 * dwarfs a 100-point batch). So an append is planned in memory from the run's AppendState (its series, their tails,
 * the epoch tally) and written in ONE statement (writeAppend: the run's totals, new series, series counts and chunks as
 * one WITH … statement, all or nothing). The state is what this process itself last wrote or read, and it is only
 * written on if the run's row is still the version it was taken from (`xmin`, the transaction that last changed the
 * row: every write of a run's points changes its row): otherwise the statement changes nothing and the append goes
 * the locked way (appendLocked: the row locked, the series and tails read, then the same write), which also serves
 * rescales, notes and tail merges.
 */
import type { Cadence, Series } from '../../domain/run.ts';
import { decodeColumnInto, encodeColumn } from '../column-codec.ts';
import { EpochTally } from '../epoch-tally.ts';
import { RunChangedError, RunNotFoundError, type AppendOptions } from '../run-store.ts';
import { MAX_TAIL_CHUNKS } from '../sqlite-run-store.ts';
import { mergeTail, type StoredChunk } from '../series-chunks.ts';
import { binaryCopyMessages, copyFrom, type CopyField } from './pg-copy.ts';
import type { PgClient, Queryable } from './pg-database.ts';
import { RUN_COLUMNS, type RunRow } from './pg-run-store.ts';

/**
 * Writes every point of each `s` as chunks of `chunkPoints`, numbered from `seq`, in one COPY (pg-copy.ts): an ingest's
 * thousand-odd 32 KiB rows stream to the server while the next ones are encoded, with no round trip between them.
 */
export async function copyChunks(c: PgClient, runId: string, pieces: { idx: number; seq: number; s: Series }[], chunkPoints: number): Promise<number> {
  function* rows(): Generator<CopyField[]> {
    for (const { idx, seq: first, s } of pieces) {
      let seq = first;
      const n = s.values.length;
      for (let a = 0; a < n; a += chunkPoints, seq++) {
        const b = Math.min(n, a + chunkPoints);
        // Views of the caller's arrays: binaryCopyMessages copies them into the message before asking for the next row.
        yield [
          runId, idx, seq, b - a,
          encodeColumn(s.steps.subarray(a, b), false),
          s.epochs ? encodeColumn(s.epochs.subarray(a, b)) : null,
          s.wallTimes ? encodeColumn(s.wallTimes.subarray(a, b)) : null,
          encodeColumn(s.values.subarray(a, b), false),
        ];
      }
    }
  }
  return copyFrom(c, 'COPY chunks (run_id, series_idx, seq, n, steps, epochs, wall_times, vals) FROM STDIN (FORMAT binary)', binaryCopyMessages(rows()));
}

const copy = (b: Buffer | null) => (b === null ? null : Buffer.from(b));

/** The small chunks after a series' last full one (see MAX_TAIL_CHUNKS), and the series' last seq. */
interface Tail {
  chunks: number;
  points: number;
  first: number | null;
  last: number | null;
}

interface SeriesState {
  idx: number;
  cadence: Cadence;
  points: number;
  tail: Tail;
}

/** What a process knows of a run's stored layout after writing (or reading) it: enough to plan the next append. */
export interface AppendState {
  /** The run row's xmin when this state was true: any other write of the run's points changes it. */
  version: string;
  points: number;
  epochMin: number | null;
  epochMax: number | null;
  epochFrac: number;
  series: Map<string, SeriesState>;
}

/** The run's row once written: the summary's columns and its new version. */
export type VersionedRunRow = RunRow & { version: string };

interface ChunkWrite {
  idx: number;
  seq: number;
  n: number;
  steps: Buffer;
  epochs: Buffer | null;
  wallTimes: Buffer | null;
  vals: Buffer;
}

/** The rows one append writes. */
interface Writes {
  newSeries: { idx: number; s: Series }[];
  counts: { idx: number; points: number }[];
  chunks: ChunkWrite[];
  points: number;
  tally: EpochTally;
}

const mustMerge = (t: Tail, n: number, chunkPoints: number) => !(t.chunks === 0 || (t.points + n < chunkPoints && t.chunks < MAX_TAIL_CHUNKS));

/** Names of the series whose tail this append must merge into full chunks (it then reads the tail: appendLocked). */
function merging(state: AppendState, series: Series[], chunkPoints: number): Series[] {
  return series.filter((s) => {
    const row = state.series.get(s.name);
    return row !== undefined && s.values.length > 0 && mustMerge(row.tail, s.values.length, chunkPoints);
  });
}

/**
 * The rows an append of `series` (distinct names) writes on top of `state`, which is updated to what they leave: as
 * SqliteRunStore.appendToSeries, the points as one small chunk while the tail stays small, else (`merged`: the tail
 * followed by the points, from the tail's first seq) full chunks in place of the tail.
 */
function plan(state: AppendState, series: Series[], chunkPoints: number, merged: ReadonlyMap<string, { seq: number; s: Series }> = new Map()): Writes {
  const tally = EpochTally.of(state.epochMin, state.epochMax, state.epochFrac);
  const w: Writes = { newSeries: [], counts: [], chunks: [], points: state.points, tally };
  let nextIdx = 0;
  for (const row of state.series.values()) nextIdx = Math.max(nextIdx, row.idx + 1);
  for (const s of series) {
    const n = s.values.length;
    w.points += n;
    let row = state.series.get(s.name);
    if (!row) {
      row = { idx: nextIdx++, cadence: s.cadence, points: n, tail: { chunks: 0, points: 0, first: null, last: null } };
      state.series.set(s.name, row);
      w.newSeries.push({ idx: row.idx, s });
      tally.add(s);
      encodeChunks(w.chunks, row, 0, s, chunkPoints);
      continue;
    }
    if (n === 0) continue;
    const merge = merged.get(s.name);
    if (merge) {
      row.tail = { chunks: 0, points: 0, first: null, last: merge.seq - 1 };
      encodeChunks(w.chunks, row, merge.seq, merge.s, chunkPoints);
    } else {
      if (mustMerge(row.tail, n, chunkPoints)) throw new Error(`series ${s.name}: its tail must be merged first`);
      encodeChunks(w.chunks, row, row.tail.last === null ? 0 : row.tail.last + 1, s, chunkPoints);
    }
    // The series keeps the cadence it was created with.
    tally.add({ cadence: row.cadence, steps: s.steps, epochs: s.epochs });
    row.points += n;
    w.counts.push({ idx: row.idx, points: row.points });
  }
  const { epochMin, epochMax, epochFrac } = tally.stored;
  state.points = w.points;
  state.epochMin = epochMin;
  state.epochMax = epochMax;
  state.epochFrac = epochFrac;
  return w;
}

/** Encodes `s` as chunks of `chunkPoints` numbered from `seq` (copies: the caller's arrays may change later), tracking the tail. */
function encodeChunks(out: ChunkWrite[], row: SeriesState, seq: number, s: Series, chunkPoints: number): void {
  const n = s.values.length;
  for (let a = 0; a < n; a += chunkPoints, seq++) {
    const b = Math.min(n, a + chunkPoints);
    out.push({
      idx: row.idx,
      seq,
      n: b - a,
      steps: Buffer.from(encodeColumn(s.steps.subarray(a, b), false)),
      epochs: s.epochs ? copy(encodeColumn(s.epochs.subarray(a, b))) : null,
      wallTimes: s.wallTimes ? copy(encodeColumn(s.wallTimes.subarray(a, b))) : null,
      vals: Buffer.from(encodeColumn(s.values.subarray(a, b), false)),
    });
    const t = row.tail;
    t.last = seq;
    if (b - a >= chunkPoints) row.tail = { chunks: 0, points: 0, first: null, last: seq };
    else {
      t.chunks++;
      t.points += b - a;
      t.first ??= seq;
    }
  }
}

/** One run's append as writeAppends takes it. */
export interface AppendWrite {
  runId: string;
  w: Writes;
  now: number;
  /** Write only if the run's row is still this version with these points (null: the caller holds the row lock). */
  check: { version: string; points: number } | null;
  expect: AppendOptions['expect'];
}

/**
 * The one statement of the appends of several runs (one, or those a live push sent in one turn of the event loop):
 * each run's totals (only if its row is still as `check` and `expect` say), new series, series counts and chunks,
 * all blobs in one bytea parameter cut by offsets. Every part of a run hangs off its row's UPDATE: a run whose row did
 * not match writes nothing and returns no row. A named statement: each connection parses and plans it once. (Built on
 * first use: pg-run-store.ts, which defines RUN_COLUMNS, imports this module.)
 */
const writeAppendsSql = () => `WITH v AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::float8[], $6::float8[], $7::int[], $8::bigint[], $9::int[], $10::bigint[], $11::text[], $36::float8[], $37::int[])
    AS v(id, version, known_points, points, epochs, epoch_max, epoch_zero, now, e_points, e_updated, e_status, epoch_min, epoch_frac)
), r AS (
  UPDATE runs SET points = v.points, epochs = v.epochs, epoch_min = v.epoch_min, epoch_max = v.epoch_max, epoch_frac = v.epoch_frac, epoch_zero = v.epoch_zero, updated_at = v.now
  FROM v
  WHERE runs.id = v.id AND (v.version IS NULL OR (runs.xmin = v.version::xid AND runs.points = v.known_points))
    AND (v.e_points IS NULL OR (runs.points = v.e_points AND runs.updated_at = v.e_updated AND runs.status = v.e_status))
  RETURNING ${RUN_COLUMNS.split(', ').map((c) => `runs.${c}`).join(', ')}, runs.xmin::text AS version
), new_series AS (
  INSERT INTO series (run_id, idx, key, split, name, direction, cadence, points)
  SELECT s.run_id, s.idx, s.key, s.split, s.name, s.direction, s.cadence, s.points
  FROM unnest($12::text[], $13::int[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::int[]) AS s(run_id, idx, key, split, name, direction, cadence, points)
  WHERE s.run_id IN (SELECT id FROM r)
), counts AS (
  UPDATE series SET points = c.points FROM unnest($20::text[], $21::int[], $22::int[]) AS c(run_id, idx, points)
  WHERE series.run_id = c.run_id AND series.idx = c.idx AND c.run_id IN (SELECT id FROM r)
), new_chunks AS (
  INSERT INTO chunks (run_id, series_idx, seq, n, steps, epochs, wall_times, vals)
  SELECT k.run_id, k.idx, k.seq, k.n, substring($23::bytea FROM k.so FOR k.sl),
         CASE WHEN k.el >= 0 THEN substring($23::bytea FROM k.eo FOR k.el) END,
         CASE WHEN k.wl >= 0 THEN substring($23::bytea FROM k.wo FOR k.wl) END,
         substring($23::bytea FROM k.vo FOR k.vl)
  FROM unnest($24::text[], $25::int[], $26::int[], $27::int[], $28::int[], $29::int[], $30::int[], $31::int[], $32::int[], $33::int[], $34::int[], $35::int[])
    AS k(run_id, idx, seq, n, so, sl, eo, el, wo, wl, vo, vl)
  WHERE k.run_id IN (SELECT id FROM r)
)
SELECT * FROM r`;

let WRITE_APPENDS: string | undefined;

/** Writes the appends of distinct runs in one statement: per append, the run as written, or null when its row did not match. */
export async function writeAppends(q: Queryable, appends: AppendWrite[]): Promise<(VersionedRunRow | null)[]> {
  const runs: unknown[][] = Array.from({ length: 13 }, () => []);
  const series: unknown[][] = Array.from({ length: 8 }, () => []);
  const counts: unknown[][] = Array.from({ length: 3 }, () => []);
  const chunks: unknown[][] = Array.from({ length: 12 }, () => []);
  const blobs: Buffer[] = [];
  let at = 1;
  const put = (b: Buffer | null, offsets: unknown[], lengths: unknown[]) => {
    offsets.push(at);
    lengths.push(b === null ? -1 : b.length);
    if (b) {
      blobs.push(b);
      at += b.length;
    }
  };
  for (const { runId, w, now, check, expect } of appends) {
    const e = w.tally.stored;
    [runId, check?.version ?? null, check?.points ?? null, w.points, e.epochs, e.epochMax, e.epochZero, now, expect?.points ?? null, expect?.updatedAt ?? null, expect?.status ?? null, e.epochMin, e.epochFrac]
      .forEach((v, i) => runs[i]!.push(v));
    for (const { idx, s } of w.newSeries) [runId, idx, s.key, s.split, s.name, s.direction, s.cadence, s.values.length].forEach((v, i) => series[i]!.push(v));
    for (const { idx, points } of w.counts) [runId, idx, points].forEach((v, i) => counts[i]!.push(v));
    for (const ch of w.chunks) {
      chunks[0]!.push(runId);
      chunks[1]!.push(ch.idx);
      chunks[2]!.push(ch.seq);
      chunks[3]!.push(ch.n);
      put(ch.steps, chunks[4]!, chunks[5]!);
      put(ch.epochs, chunks[6]!, chunks[7]!);
      put(ch.wallTimes, chunks[8]!, chunks[9]!);
      put(ch.vals, chunks[10]!, chunks[11]!);
    }
  }
  const r = await q.query<VersionedRunRow>({
    name: 'runmedic-append',
    text: (WRITE_APPENDS ??= writeAppendsSql()),
    // The epoch bounds came after the statement's other parameters ($36, $37): the numbers before them stay as they were.
    values: [...runs.slice(0, 11), ...series, ...counts, Buffer.concat(blobs), ...chunks, ...runs.slice(11)],
  });
  const byId = new Map(r.rows.map((row) => [row.id, row]));
  return appends.map((a) => byId.get(a.runId) ?? null);
}

/**
 * The write of an append planned from `state` alone (no transaction, no read), for `write` to send (alone or with
 * other runs' appends): null when a tail must be merged first (`state` untouched: the locked way reads the tail).
 * `state` is updated to what the write leaves; if it does not apply, `state` must be dropped.
 */
export function appendFromState(
  runId: string,
  state: AppendState,
  series: Series[],
  expect: AppendOptions['expect'],
  o: { chunkPoints: number; now: number },
): AppendWrite | null {
  if (merging(state, series, o.chunkPoints).length) return null;
  const check = { version: state.version, points: state.points };
  return { runId, w: plan(state, series, o.chunkPoints), now: o.now, check, expect };
}

interface HeadRow {
  version: string;
  points: number;
  epoch_min: number | null;
  epoch_max: number | null;
  epoch_frac: number;
  notes: string;
  meta: string;
  updated_at: number;
  status: string;
}

interface SeriesStateRow {
  idx: number;
  name: string;
  cadence: string;
  points: number;
  chunks: number;
  tail_points: number;
  first: number | null;
  last: number | null;
}

/** Every series of the run with its tail (the chunks after its last full one) and last seq, in one query. */
async function readState(c: Queryable, runId: string, head: HeadRow, chunkPoints: number): Promise<AppendState> {
  const rows = (await c.query<SeriesStateRow>({
    name: 'runmedic-append-state',
    text: `SELECT s.idx, s.name, s.cadence, s.points, t.chunks, t.tail_points, t.first,
                  (SELECT MAX(seq) FROM chunks WHERE run_id = $1 AND series_idx = s.idx) AS last
           FROM series s CROSS JOIN LATERAL (
             SELECT COUNT(*)::int AS chunks, COALESCE(SUM(ch.n), 0)::int AS tail_points, MIN(ch.seq) AS first
             FROM chunks ch WHERE ch.run_id = $1 AND ch.series_idx = s.idx AND ch.seq > COALESCE(
               (SELECT seq FROM chunks WHERE run_id = $1 AND series_idx = s.idx AND n >= $2 ORDER BY seq DESC LIMIT 1), -1)
           ) t
           WHERE s.run_id = $1 ORDER BY s.idx`,
    values: [runId, chunkPoints],
  })).rows;
  return {
    version: head.version,
    points: head.points,
    epochMin: head.epoch_min,
    epochMax: head.epoch_max,
    epochFrac: head.epoch_frac,
    series: new Map(rows.map((r) => [r.name, { idx: r.idx, cadence: r.cadence as Cadence, points: r.points, tail: { chunks: r.chunks, points: r.tail_points, first: r.first, last: r.last } }])),
  };
}

/**
 * One append in the caller's transaction, the run's row locked first: two processes appending to one run take turns,
 * so tails, counts and the epoch state never interleave. `known`: the caller's state of the run, used when the row is
 * still its version (else the series and tails are read). Returns the run as written and its state after.
 */
export async function appendLocked(
  c: Queryable,
  runId: string,
  series: Series[],
  opts: AppendOptions,
  o: { chunkPoints: number; now: number },
  known?: AppendState,
): Promise<{ row: VersionedRunRow; state: AppendState }> {
  // A name given twice appends twice, in order: one series at a time then (never seen from the faces; kept exact).
  if (new Set(series.map((x) => x.name)).size !== series.length) {
    let last: { row: VersionedRunRow; state: AppendState } | undefined;
    for (const [i, one] of series.entries()) last = await appendLocked(c, runId, [one], i === 0 ? opts : {}, o, last?.state ?? known);
    return last!;
  }
  const head = (await c.query<HeadRow>({
    name: 'runmedic-append-lock',
    text: 'SELECT xmin::text AS version, points, epoch_min, epoch_max, epoch_frac, notes, meta, updated_at, status FROM runs WHERE id = $1 FOR UPDATE',
    values: [runId],
  })).rows[0];
  if (!head) throw new RunNotFoundError(runId);
  const e = opts.expect;
  if (e && (head.points !== e.points || head.updated_at !== e.updatedAt || head.status !== e.status)) throw new RunChangedError(runId);
  // Its own statement, after the lock: in read committed a statement sees what committed before it began, so the
  // series another process added while we waited for the lock are seen here (not in a subquery of the locking one).
  const state = known && known.version === head.version && known.points === head.points ? known : await readState(c, runId, head, o.chunkPoints);
  for (const { name, divisor } of opts.rescale ?? []) {
    const row = state.series.get(name);
    if (row) await divideValues(c, runId, row.idx, divisor);
  }
  if (opts.notes?.length || opts.meta) {
    const notes = [...(JSON.parse(head.notes) as string[]), ...(opts.notes ?? [])];
    const meta = { ...(JSON.parse(head.meta) as Record<string, unknown>), ...opts.meta };
    await c.query('UPDATE runs SET notes = $1, meta = $2 WHERE id = $3', [JSON.stringify(notes), JSON.stringify(meta), runId]);
  }
  const merged = await mergedTails(c, runId, state, merging(state, series, o.chunkPoints));
  const w = plan(state, series, o.chunkPoints, merged);
  if (merged.size) {
    const m = [...merged.values()];
    await c.query('DELETE FROM chunks USING unnest($2::int[], $3::int[]) AS t(idx, seq) WHERE chunks.run_id = $1 AND chunks.series_idx = t.idx AND chunks.seq >= t.seq', [
      runId, m.map((x) => x.idx), m.map((x) => x.seq),
    ]);
  }
  const [row] = await writeAppends(c, [{ runId, w, now: o.now, check: null, expect: undefined }]);
  if (!row) throw new RunNotFoundError(runId);
  state.version = row.version;
  return { row, state };
}

/**
 * For each series of `series` whose tail must be merged: the tail (read, after any rescale) followed by the new points,
 * to be written from the tail's first seq in place of it.
 */
async function mergedTails(c: Queryable, runId: string, state: AppendState, series: Series[]): Promise<Map<string, { idx: number; seq: number; s: Series }>> {
  const out = new Map<string, { idx: number; seq: number; s: Series }>();
  if (!series.length) return out;
  const targets = series.map((s) => {
    const row = state.series.get(s.name)!;
    return { s, row, seq: row.tail.first ?? (row.tail.last === null ? 0 : row.tail.last + 1) };
  });
  const chunks = (await c.query<StoredChunk & { series_idx: number }>(
    `SELECT ch.series_idx, ch.n, ch.steps, ch.epochs, ch.wall_times, ch.vals FROM chunks ch JOIN unnest($2::int[], $3::int[]) AS t(idx, seq)
       ON ch.series_idx = t.idx AND ch.seq >= t.seq
     WHERE ch.run_id = $1 ORDER BY ch.series_idx, ch.seq`,
    [runId, targets.map((t) => t.row.idx), targets.map((t) => t.seq)],
  )).rows;
  for (const { s, row, seq } of targets) {
    out.set(s.name, { idx: row.idx, seq, s: mergeTail(runId, s.name, s, row.tail.points, chunks.filter((ch) => ch.series_idx === row.idx)) });
  }
  return out;
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
