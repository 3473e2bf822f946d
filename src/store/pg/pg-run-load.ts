/**
 * Reading a run's series back from PostgreSQL, as SqliteRunStore.loadSeries does: one array per distinct step/epoch
 * column (series logged together share them), told apart by their small arithmetic blobs without loading large ones.
 */
import type { Series } from '../../domain/run.ts';
import { assembleSeries, sharedColumns, type StoredChunk, type StoredSeriesRow } from '../series-chunks.ts';
import type { Queryable } from './pg-database.ts';

interface SigRow {
  series_idx: number;
  n: number;
  s: Buffer | null;
  s_big: boolean;
  e: Buffer | null;
  e_big: boolean;
  e_null: boolean;
}

export async function loadSeries(c: Queryable, runId: string): Promise<Series[]> {
  const rows = (await c.query<StoredSeriesRow>('SELECT idx, key, split, name, direction, cadence, points FROM series WHERE run_id = $1 ORDER BY idx', [runId])).rows;
  const sigs = await c.query<SigRow>(
    `SELECT series_idx, n,
            CASE WHEN octet_length(steps) <= 16 THEN steps END AS s, octet_length(steps) > 16 AS s_big,
            CASE WHEN octet_length(epochs) <= 16 THEN epochs END AS e, COALESCE(octet_length(epochs) > 16, false) AS e_big, epochs IS NULL AS e_null
     FROM chunks WHERE run_id = $1 ORDER BY series_idx, seq`,
    [runId],
  );
  const columns = sharedColumns(rows, sigs.rows.map((r) => ({ series_idx: r.series_idx, n: r.n, s: r.s, sBig: r.s_big, e: r.e, eBig: r.e_big, eNull: r.e_null })));
  // Only the columns that are decoded are fetched: a shared steps array is filled once.
  const decoded = (pick: (idx: number) => boolean | undefined) => rows.filter((r) => pick(r.idx)).map((r) => r.idx);
  const chunks = await c.query<StoredChunk & { series_idx: number }>(
    `SELECT series_idx, n, CASE WHEN series_idx = ANY($2::int[]) THEN steps END AS steps,
            CASE WHEN series_idx = ANY($3::int[]) THEN epochs END AS epochs, wall_times, vals
     FROM chunks WHERE run_id = $1 ORDER BY series_idx, seq`,
    [runId, decoded((i) => columns.get(i)!.steps.decode), decoded((i) => columns.get(i)!.epochs?.decode)],
  );
  return assembleSeries(runId, rows, columns, chunks.rows);
}
