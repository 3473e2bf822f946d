/**
 * Reading a run's series back from PostgreSQL, as SqliteRunStore.loadSeries does: one array per distinct step/epoch
 * column (series logged together share them), told apart by their small arithmetic blobs without loading large ones.
 */
import type { Series } from '../../domain/run.ts';
import { assembleSince, SeriesAssembler, sharedColumns, type StoredChunk, type StoredSeriesRow } from '../series-chunks.ts';
import { copyTo, readInt4 } from './pg-copy.ts';
import type { PgClient, Queryable } from './pg-database.ts';

interface SigRow {
  series_idx: number;
  n: number;
  s: Buffer | null;
  s_big: boolean;
  e: Buffer | null;
  e_big: boolean;
  e_null: boolean;
}

export async function loadSeries(c: PgClient, runId: string): Promise<Series[]> {
  const rows = (await c.query<StoredSeriesRow>('SELECT idx, key, split, name, direction, cadence, points FROM series WHERE run_id = $1 ORDER BY idx', [runId])).rows;
  const sigs = await c.query<SigRow>(
    `SELECT series_idx, n,
            CASE WHEN octet_length(steps) <= 16 THEN steps END AS s, octet_length(steps) > 16 AS s_big,
            CASE WHEN octet_length(epochs) <= 16 THEN epochs END AS e, COALESCE(octet_length(epochs) > 16, false) AS e_big, epochs IS NULL AS e_null
     FROM chunks WHERE run_id = $1 ORDER BY series_idx, seq`,
    [runId],
  );
  const columns = sharedColumns(rows, sigs.rows.map((r) => ({ series_idx: r.series_idx, n: r.n, s: r.s, sBig: r.s_big, e: r.e, eBig: r.e_big, eNull: r.e_null })));
  // Only the columns that are decoded are fetched: a shared steps array is filled once. A binary COPY (pg-copy.ts):
  // the blobs come as bytes, not hex text. COPY takes no parameters: the run id is escaped, the indexes are integers.
  const decoded = (pick: (idx: number) => boolean | undefined) => `'{${rows.filter((r) => pick(r.idx)).map((r) => r.idx).join(',')}}'::int[]`;
  const assembler = new SeriesAssembler(runId, rows, columns);
  await copyTo(
    c,
    `COPY (SELECT series_idx, n, CASE WHEN series_idx = ANY(${decoded((i) => columns.get(i)!.steps.decode)}) THEN steps END AS steps,
            CASE WHEN series_idx = ANY(${decoded((i) => columns.get(i)!.epochs?.decode)}) THEN epochs END AS epochs, wall_times, vals
     FROM chunks WHERE run_id = ${c.escapeLiteral(runId)} ORDER BY series_idx, seq) TO STDOUT (FORMAT binary)`,
    // Decoded as each row arrives: the bytes are the connection's buffer.
    ([idx, n, steps, epochs, wallTimes, vals]) => {
      if (!vals) throw new Error(`corrupt run ${runId}: a chunk without values`);
      assembler.add({ series_idx: readInt4(idx!), n: readInt4(n!), steps: steps ?? null, epochs: epochs ?? null, wall_times: wallTimes ?? null, vals });
    },
  );
  return assembler.finish();
}

/**
 * Each series' points from the index `from` gives its name on (all of a series it does not name), reading only the
 * chunks that hold them: the chunks' offsets come from their point counts (a window sum over a run's chunk rows, their
 * blobs left unread). Null when `from` names a series that is not stored or more points than one has.
 */
export async function loadSince(c: Queryable, runId: string, from: ReadonlyMap<string, number>): Promise<Series[] | null> {
  const rows = (await c.query<StoredSeriesRow>('SELECT idx, key, split, name, direction, cadence, points FROM series WHERE run_id = $1 ORDER BY idx', [runId])).rows;
  const names = new Set(rows.map((r) => r.name));
  for (const [name, n] of from) if (!names.has(name) || n > rows.find((r) => r.name === name)!.points) return null;
  const fromIdx = new Map(rows.map((r) => [r.idx, from.get(r.name) ?? 0]));
  const chunks = await c.query<StoredChunk & { series_idx: number; start: number }>(
    `WITH f AS (SELECT * FROM unnest($2::int[], $3::int[]) AS f(idx, from_n)),
     o AS (SELECT series_idx, seq, SUM(n) OVER (PARTITION BY series_idx ORDER BY seq) AS end_at FROM chunks WHERE run_id = $1)
     SELECT ch.series_idx, ch.n, (o.end_at - ch.n)::int AS start, ch.steps, ch.epochs, ch.wall_times, ch.vals
     FROM o JOIN f ON f.idx = o.series_idx JOIN chunks ch ON ch.run_id = $1 AND ch.series_idx = o.series_idx AND ch.seq = o.seq
     WHERE o.end_at > f.from_n ORDER BY ch.series_idx, ch.seq`,
    [runId, [...fromIdx.keys()], [...fromIdx.values()]],
  );
  return assembleSince(runId, rows, (idx) => fromIdx.get(idx)!, chunks.rows);
}
