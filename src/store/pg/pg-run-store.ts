/**
 * RunStore on PostgreSQL: the same tables and columnar chunks as SQLite (bytea columns, same codec), so a run reads
 * back bit for bit whichever store wrote it. Several processes write at once: an ingest is one transaction (a content
 * hash another process stores meanwhile is returned as existing), appends to one run are serialised by a row lock on
 * the run, appends to different runs run in parallel on the pool.
 */
import type { LogFormat, Run, RunStatus, RunSummary, Series } from '../../domain/run.ts';
import { countPoints } from '../../ingest/series-builder.ts';
import { EpochTally, firstEpochOf } from '../epoch-tally.ts';
import { cryptoRandom, newRunId, type RandomSource } from '../run-id.ts';
import { RunNotFoundError, type AppendOptions, type ListRunsOptions, type NewRun, type RunSince, type RunStore, type SavedRun } from '../run-store.ts';
import { DEFAULT_CHUNK_POINTS } from '../sqlite-run-store.ts';
import { inTransaction, TickBatch, type PgClient, type PgPool, type Settled } from './pg-database.ts';
import { appendFromState, appendLocked, copyChunks, writeAppends, type AppendState, type AppendWrite, type VersionedRunRow } from './pg-run-append.ts';
import { checkColumns } from '../series-chunks.ts';
import { loadSeries, loadSince } from './pg-run-load.ts';

export interface PgRunStoreDeps {
  now?: () => number;
  random?: RandomSource;
  chunkPoints?: number;
  /** Whether close() ends the pool (the store owns it). */
  ownsPool?: boolean;
}

export interface RunRow {
  id: string;
  name: string;
  format: string;
  file_name: string;
  content_hash: string;
  created_at: number;
  updated_at: number;
  status: string;
  points: number;
  epochs: number | null;
  epoch_min: number | null;
  epoch_max: number | null;
  epoch_frac: number;
}

export const RUN_COLUMNS = 'id, name, format, file_name, content_hash, created_at, updated_at, status, points, epochs, epoch_min, epoch_max, epoch_frac';

/** Runs whose append state a store keeps (the ones it appended to last); each is a few numbers per series. */
const APPEND_STATES = 4096;

export class PgRunStore implements RunStore {
  private readonly now: () => number;
  private readonly random: RandomSource;
  private readonly chunkPoints: number;
  /**
   * The layout of the runs this process appended to (pg-run-append.ts): the next append of such a run is one
   * statement that writes only if the run is still the version the state was taken from.
   */
  private readonly appendStates = new Map<string, AppendState>();

  constructor(
    private readonly pool: PgPool,
    private readonly deps: PgRunStoreDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? cryptoRandom;
    this.chunkPoints = deps.chunkPoints ?? DEFAULT_CHUNK_POINTS;
  }

  async saveRuns(runs: NewRun[]): Promise<SavedRun[]> {
    for (const r of runs) for (const s of r.log.series) checkColumns(s);
    return inTransaction(this.pool, async (c) => {
      const byHash = new Map<string, RunSummary>();
      const out: SavedRun[] = [];
      for (const input of runs) {
        const hash = input.source.contentHash;
        const earlier = byHash.get(hash);
        if (earlier) {
          out.push({ run: earlier, created: false });
          continue;
        }
        const saved = await this.insertRun(c, input);
        byHash.set(hash, saved.run);
        out.push(saved);
      }
      return out;
    });
  }

  /**
   * Inserts a run unless its content hash is stored. ON CONFLICT DO NOTHING waits for a concurrent transaction that
   * inserted the same hash: when it commits, the run is read back as existing (read committed sees it); when it rolls
   * back, our insert goes ahead.
   */
  private async insertRun(c: PgClient, input: NewRun): Promise<SavedRun> {
    const { log, source } = input;
    const tally = new EpochTally();
    for (const s of log.series) tally.add(s);
    const e = tally.stored;
    const t = this.now();
    for (let attempt = 0; ; attempt++) {
      const id = newRunId(this.random);
      const r = await c.query<RunRow>(
        `INSERT INTO runs (id, name, format, file_name, content_hash, created_at, updated_at, status, points, epochs, notes, meta, epoch_min, epoch_max, epoch_frac, epoch_zero)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING RETURNING ${RUN_COLUMNS}`,
        [id, log.name, source.format, source.fileName, source.contentHash, t, input.status ?? 'finished', countPoints(log), e.epochs,
          JSON.stringify(log.notes ?? []), JSON.stringify(log.meta ?? {}), e.epochMin, e.epochMax, e.epochFrac, e.epochZero],
      );
      if (r.rows[0]) {
        const ss = log.series;
        if (ss.length) {
          await c.query(
            `INSERT INTO series (run_id, idx, key, split, name, direction, cadence, points)
             SELECT $1, t.* FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[]) AS t`,
            [id, ss.map((_, i) => i), ss.map((s) => s.key), ss.map((s) => s.split), ss.map((s) => s.name), ss.map((s) => s.direction), ss.map((s) => s.cadence), ss.map((s) => s.values.length)],
          );
        }
        await copyChunks(c, id, ss.map((s, idx) => ({ idx, seq: 0, s })), this.chunkPoints);
        return { run: toSummary(r.rows[0]), created: true };
      }
      const existing = await c.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE content_hash = $1`, [source.contentHash]);
      if (existing.rows[0]) return { run: toSummary(existing.rows[0]), created: false };
      // The id was taken (50 random bits: practically never); draw another.
      if (attempt > 5) throw new Error('could not draw an unused run id');
    }
  }

  async getRun(ref: string): Promise<Run | null> {
    const found = await this.findRuns(ref);
    if (found.length !== 1) return null;
    // One snapshot: an append committing between the reads would leave counts and chunks disagreeing.
    return inTransaction(this.pool, async (c) => {
      const row = (await c.query<RunRow & { notes: string; meta: string }>(`SELECT ${RUN_COLUMNS}, notes, meta FROM runs WHERE id = $1`, [found[0]!.id])).rows[0];
      if (!row) return null;
      return { ...toSummary(row), series: await loadSeries(c, row.id), notes: JSON.parse(row.notes), meta: JSON.parse(row.meta) };
    }, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async pointsSince(runId: string, from: ReadonlyMap<string, number>): Promise<RunSince | null> {
    return inTransaction(this.pool, async (c) => {
      const row = (await c.query<RunRow & { meta: string }>(`SELECT ${RUN_COLUMNS}, meta FROM runs WHERE id = $1`, [runId])).rows[0];
      if (!row) return null;
      const series = await loadSince(c, runId, from);
      return series ? { run: toSummary(row), meta: JSON.parse(row.meta) as Record<string, unknown>, series } : null;
    }, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async findRuns(ref: string): Promise<RunSummary[]> {
    const r = ref.trim();
    if (!r) return [];
    const byId = await this.pool.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [r]);
    if (byId.rows[0]) return [toSummary(byId.rows[0])];
    const byName = await this.pool.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE name = $1 ORDER BY created_at DESC, seq DESC LIMIT 20`, [r]);
    if (byName.rows.length) return byName.rows.map(toSummary);
    const prefix = r.startsWith('r_') ? r : `r_${r}`;
    if (prefix.length < 5) return [];
    const like = prefix.replace(/[\\%_]/g, (ch) => `\\${ch}`) + '%';
    const byPrefix = await this.pool.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id LIKE $1 ORDER BY created_at DESC, seq DESC LIMIT 20`, [like]);
    return byPrefix.rows.map(toSummary);
  }

  async listRuns(opts: ListRunsOptions = {}): Promise<RunSummary[]> {
    const limit = Math.max(0, Math.floor(opts.limit ?? 50));
    const r = opts.status
      ? await this.pool.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE status = $1 ORDER BY created_at DESC, seq DESC LIMIT $2`, [opts.status, limit])
      : await this.pool.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY created_at DESC, seq DESC LIMIT $1`, [limit]);
    return r.rows.map(toSummary);
  }

  async deleteRun(id: string): Promise<boolean> {
    this.appendStates.delete(id);
    return ((await this.pool.query('DELETE FROM runs WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  /**
   * Appends planned from what this process last wrote (pg-run-append.ts), sent together when several runs' batches
   * come in one turn of the event loop: one statement for all of them (a run another process changed meanwhile writes
   * nothing in it and goes the locked way). Should PostgreSQL refuse the statement, each append is tried alone, so one
   * bad append fails alone.
   */
  private readonly planned = new TickBatch<AppendWrite, VersionedRunRow | null>(async (appends) => {
    const distinct = new Set(appends.map((a) => a.runId)).size === appends.length;
    if (distinct) {
      try {
        return (await writeAppends(this.pool, appends)).map((value): Settled<VersionedRunRow | null> => ({ ok: true, value }));
      } catch (error) {
        // Only a statement PostgreSQL refused (an ERROR: rolled back, the connection still fine) is known to have
        // written nothing; after a lost connection nobody knows, and the callers (who drop their state) must say so.
        if (appends.length === 1 || (error as { severity?: string }).severity !== 'ERROR') return appends.map(() => ({ ok: false, error }));
      }
    }
    return Promise.all(
      appends.map((a) =>
        writeAppends(this.pool, [a]).then(
          (r): Settled<VersionedRunRow | null> => ({ ok: true, value: r[0]! }),
          (error): Settled<VersionedRunRow | null> => ({ ok: false, error }),
        ),
      ),
    );
  });

  /**
   * One statement when this process wrote the run last and nothing else has since (the common case of a live push),
   * else a transaction that locks the run's row and reads its layout first (pg-run-append.ts).
   */
  async appendPoints(runId: string, series: Series[], opts: AppendOptions = {}): Promise<RunSummary> {
    for (const s of series) checkColumns(s);
    const o = { chunkPoints: this.chunkPoints, now: this.now() };
    // Taken out while in use: a concurrent append of the same run in this process goes the locked way.
    let known = this.appendStates.get(runId);
    this.appendStates.delete(runId);
    const plain = !opts.rescale?.length && !opts.notes?.length && !opts.meta && new Set(series.map((s) => s.name)).size === series.length;
    const write = known && plain ? appendFromState(runId, known, series, opts.expect, o) : null;
    if (write) {
      const row = await this.planned.request(write);
      if (row) {
        known!.version = row.version;
        return this.keep(runId, row, known!);
      }
      // Changed by another process (or not as `expect` says): the state is out of date.
      known = undefined;
    }
    const { row, state } = await inTransaction(this.pool, (c) => appendLocked(c, runId, series, opts, o, known));
    return this.keep(runId, row, state);
  }

  private keep(runId: string, row: VersionedRunRow, state: AppendState): RunSummary {
    if (this.appendStates.size >= APPEND_STATES) this.appendStates.delete(this.appendStates.keys().next().value!);
    this.appendStates.set(runId, state);
    return toSummary(row);
  }

  async setStatus(runId: string, status: RunStatus): Promise<RunSummary> {
    const r = await this.pool.query<RunRow>(`UPDATE runs SET status = $1, updated_at = $2 WHERE id = $3 RETURNING ${RUN_COLUMNS}`, [status, this.now(), runId]);
    if (!r.rows[0]) throw new RunNotFoundError(runId);
    return toSummary(r.rows[0]);
  }

  async close(): Promise<void> {
    if (this.deps.ownsPool) await this.pool.end();
  }
}

export function toSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    name: r.name,
    source: { format: r.format as LogFormat, fileName: r.file_name, contentHash: r.content_hash },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    status: r.status as RunStatus,
    points: r.points,
    epochs: r.epochs,
    firstEpoch: firstEpochOf(r.epoch_min, r.epoch_max, r.epoch_frac),
  };
}
