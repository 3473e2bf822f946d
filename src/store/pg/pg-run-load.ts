/**
 * Reading a run's series back from PostgreSQL, as SqliteRunStore.loadSeries does: one array per distinct step/epoch
 * column (series logged together share them), told apart by their small arithmetic blobs without loading large ones.
 */
import type { Series } from '../../domain/run.ts';
import { decodeColumnInto } from '../column-codec.ts';
import type { Queryable } from './pg-database.ts';

interface SeriesRow {
  idx: number;
  key: string;
  split: string;
  name: string;
  direction: string;
  cadence: string;
  points: number;
}

interface SigRow {
  series_idx: number;
  n: number;
  s: Buffer | null;
  s_big: boolean;
  e: Buffer | null;
  e_big: boolean;
  e_null: boolean;
}

interface Column {
  array: Float64Array;
  /** True for the one series that fills a shared array. */
  decode: boolean;
}

export async function loadSeries(c: Queryable, runId: string): Promise<Series[]> {
  const rows = (await c.query<SeriesRow>('SELECT idx, key, split, name, direction, cadence, points FROM series WHERE run_id = $1 ORDER BY idx', [runId])).rows;
  const shared = await sharedColumns(c, runId, rows);
  const out = rows.map((r) => {
    const sh = shared.get(r.idx)!;
    return { meta: r, filled: 0, steps: sh.steps, epochs: sh.epochs, wallTimes: null as Float64Array | null, values: new Float64Array(r.points) };
  });
  const byIdx = new Map(out.map((o) => [o.meta.idx, o]));
  // Only the columns that are decoded are fetched: a shared steps array is filled once.
  const chunks = await c.query<{ series_idx: number; n: number; steps: Buffer | null; epochs: Buffer | null; wall_times: Buffer | null; vals: Buffer }>(
    `SELECT series_idx, n, CASE WHEN series_idx = ANY($2::int[]) THEN steps END AS steps,
            CASE WHEN series_idx = ANY($3::int[]) THEN epochs END AS epochs, wall_times, vals
     FROM chunks WHERE run_id = $1 ORDER BY series_idx, seq`,
    [runId, out.filter((o) => o.steps.decode).map((o) => o.meta.idx), out.filter((o) => o.epochs?.decode).map((o) => o.meta.idx)],
  );
  for (const ch of chunks.rows) {
    const o = byIdx.get(ch.series_idx);
    if (!o) continue;
    const at = o.filled;
    if (at + ch.n > o.meta.points) throw new Error(`corrupt run ${runId}: series ${o.meta.name} has more points than recorded`);
    if (o.steps.decode) decodeColumnInto(ch.steps, ch.n, o.steps.array, at);
    if (o.epochs?.decode) decodeColumnInto(ch.epochs, ch.n, o.epochs.array, at);
    if (ch.wall_times) decodeColumnInto(ch.wall_times, ch.n, (o.wallTimes ??= new Float64Array(o.meta.points).fill(NaN)), at);
    decodeColumnInto(ch.vals, ch.n, o.values, at);
    o.filled += ch.n;
  }
  return out.map((o) => ({
    key: o.meta.key,
    split: o.meta.split as Series['split'],
    name: o.meta.name,
    direction: o.meta.direction as Series['direction'],
    cadence: o.meta.cadence as Series['cadence'],
    steps: o.steps.array,
    epochs: o.epochs?.array ?? null,
    wallTimes: o.wallTimes,
    values: o.values,
  }));
}

async function sharedColumns(c: Queryable, runId: string, rows: SeriesRow[]): Promise<Map<number, { steps: Column; epochs: Column | null }>> {
  const sigs = new Map<number, { steps: string[] | null; epochs: string[] | null; anyEpochs: boolean }>();
  for (const r of rows) sigs.set(r.idx, { steps: [], epochs: [], anyEpochs: false });
  const hex = (b: Buffer | null) => (b === null ? '-' : b.toString('hex'));
  const res = await c.query<SigRow>(
    `SELECT series_idx, n,
            CASE WHEN octet_length(steps) <= 16 THEN steps END AS s, octet_length(steps) > 16 AS s_big,
            CASE WHEN octet_length(epochs) <= 16 THEN epochs END AS e, COALESCE(octet_length(epochs) > 16, false) AS e_big, epochs IS NULL AS e_null
     FROM chunks WHERE run_id = $1 ORDER BY series_idx, seq`,
    [runId],
  );
  for (const ch of res.rows) {
    const sig = sigs.get(ch.series_idx);
    if (!sig) continue;
    if (ch.s_big) sig.steps = null;
    else sig.steps?.push(`${ch.n}:${hex(ch.s)}`);
    if (!ch.e_null) sig.anyEpochs = true;
    if (ch.e_big) sig.epochs = null;
    else sig.epochs?.push(`${ch.n}:${hex(ch.e)}`);
  }
  const byKey = new Map<string, Float64Array>();
  const column = (points: number, parts: string[] | null, nanFill: boolean): Column => {
    const key = parts ? `${points}|${parts.join(',')}` : null;
    const existing = key ? byKey.get(key) : undefined;
    if (existing) return { array: existing, decode: false };
    const array = new Float64Array(points);
    if (nanFill) array.fill(NaN);
    if (key) byKey.set(key, array);
    return { array, decode: true };
  };
  const out = new Map<number, { steps: Column; epochs: Column | null }>();
  for (const r of rows) {
    const sig = sigs.get(r.idx)!;
    out.set(r.idx, { steps: column(r.points, sig.steps, false), epochs: sig.anyEpochs ? column(r.points, sig.epochs, true) : null });
  }
  return out;
}
