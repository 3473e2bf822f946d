import type { Database, Statement } from 'better-sqlite3';
import type { LogFormat, Run, RunStatus, RunSummary, Series } from '../domain/run.ts';
import { countPoints } from '../ingest/series-builder.ts';
import { decodeColumnInto, encodeColumn } from './column-codec.ts';
import { openDatabase } from './database.ts';
import { assembleSeries, checkColumns, mergeTail, sharedColumns, type ChunkSignature, type StoredSeriesRow } from './series-chunks.ts';
import { EpochTally, firstEpochOf } from './epoch-tally.ts';
import { cryptoRandom, newRunId, type RandomSource } from './run-id.ts';
import { RunChangedError, RunNotFoundError, type AppendOptions, type ListRunsOptions, type NewRun, type RunStore, type SavedRun } from './run-store.ts';

/** Points per chunk: 4096 float64s = 32 KiB per column, a few pages each. */
export const DEFAULT_CHUNK_POINTS = 4096;

/**
 * Appends (live pushes, jobs) add small chunks at the end of a series rather than rewriting its last full-size chunk
 * on every batch (that wrote 32 KiB per column to add a hundred points). Once the small chunks at the end of a series
 * (its tail) would hold a full chunk, or number this many, they are merged: each point is written about twice, and a
 * series never has more than this many small chunks to read back. Chunk `seq` is the order of chunks, not a position.
 */
export const MAX_TAIL_CHUNKS = 32;

export interface SqliteRunStoreDeps {
  /** ms since the Unix epoch */
  now?: () => number;
  random?: RandomSource;
  chunkPoints?: number;
}

interface RunRow {
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
  notes: string;
  meta: string;
}

interface TallyRow {
  points: number;
  epoch_min: number | null;
  epoch_max: number | null;
  epoch_frac: number;
  updated_at: number;
  status: string;
}

type SeriesRow = StoredSeriesRow;

interface ChunkRow {
  series_idx: number;
  seq: number;
  n: number;
  steps: Buffer;
  epochs: Buffer | null;
  wall_times: Buffer | null;
  vals: Buffer;
}

const RUN_COLUMNS = 'id, name, format, file_name, content_hash, created_at, updated_at, status, points, epochs, epoch_min, epoch_max, epoch_frac';

export class SqliteRunStore implements RunStore {
  private readonly now: () => number;
  private readonly random: RandomSource;
  private readonly chunkPoints: number;
  /** Appends waiting for the group commit (see appendPoints). */
  private pendingAppends: { run: () => RunSummary; resolve: (r: RunSummary) => void; reject: (e: unknown) => void }[] = [];
  private readonly st: Record<
    | 'runById' | 'runByHash' | 'runsByName' | 'runsByPrefix' | 'runFull' | 'insertRun' | 'runTally' | 'updateRunTotals'
    | 'updateStatus' | 'deleteRun' | 'seriesOf' | 'insertSeries' | 'updateSeriesPoints' | 'chunksOf'
    | 'chunkSignatures' | 'tailIndex' | 'tailChunks' | 'deleteTail' | 'insertChunk' | 'valuesOf' | 'updateValues'
    | 'notesMeta' | 'updateNotesMeta' | 'listAll' | 'listByStatus',
    Statement
  >;

  /** Opens (and migrates) the file and returns a store that closes the database when closed. */
  static open(file: string, deps: SqliteRunStoreDeps = {}): SqliteRunStore {
    return new SqliteRunStore(openDatabase(file, { now: deps.now }), deps, true);
  }

  /** `db` must already be migrated (openDatabase does it). Pass ownsDb when close() should close it. */
  constructor(
    private readonly db: Database,
    deps: SqliteRunStoreDeps = {},
    private readonly ownsDb = false,
  ) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? cryptoRandom;
    this.chunkPoints = deps.chunkPoints ?? DEFAULT_CHUNK_POINTS;
    const p = (sql: string) => db.prepare(sql);
    this.st = {
      runById: p(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
      runByHash: p(`SELECT ${RUN_COLUMNS} FROM runs WHERE content_hash = ?`),
      runsByName: p(`SELECT ${RUN_COLUMNS} FROM runs WHERE name = ? ORDER BY created_at DESC, rowid DESC LIMIT 20`),
      runsByPrefix: p(`SELECT ${RUN_COLUMNS} FROM runs WHERE substr(id, 1, length(@p)) = @p ORDER BY created_at DESC, rowid DESC LIMIT 20`),
      runFull: p(`SELECT ${RUN_COLUMNS}, notes, meta FROM runs WHERE id = ?`),
      insertRun: p(
        `INSERT INTO runs (id, name, format, file_name, content_hash, created_at, updated_at, status, points, epochs, notes, meta, epoch_min, epoch_max, epoch_frac, epoch_zero)
         VALUES (@id, @name, @format, @file_name, @content_hash, @created_at, @updated_at, @status, @points, @epochs, @notes, @meta, @epoch_min, @epoch_max, @epoch_frac, @epoch_zero)`,
      ),
      runTally: p('SELECT points, epoch_min, epoch_max, epoch_frac, updated_at, status FROM runs WHERE id = ?'),
      updateRunTotals: p('UPDATE runs SET points = ?, epochs = ?, epoch_min = ?, epoch_max = ?, epoch_frac = ?, epoch_zero = ?, updated_at = ? WHERE id = ?'),
      updateStatus: p('UPDATE runs SET status = ?, updated_at = ? WHERE id = ?'),
      deleteRun: p('DELETE FROM runs WHERE id = ?'),
      seriesOf: p('SELECT idx, key, split, name, direction, cadence, points FROM series WHERE run_id = ? ORDER BY idx'),
      insertSeries: p(
        `INSERT INTO series (run_id, idx, key, split, name, direction, cadence, points) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateSeriesPoints: p('UPDATE series SET points = ? WHERE run_id = ? AND idx = ?'),
      chunksOf: p('SELECT series_idx, seq, n, steps, epochs, wall_times, vals FROM chunks WHERE run_id = ? ORDER BY series_idx, seq'),
      // Only small blobs are read (length() alone does not load a blob): enough to tell identical step/epoch columns.
      chunkSignatures: p(
        `SELECT series_idx, n,
                CASE WHEN length(steps) <= 16 THEN steps END AS s, length(steps) > 16 AS s_big,
                CASE WHEN length(epochs) <= 16 THEN epochs END AS e, length(epochs) > 16 AS e_big, epochs IS NULL AS e_null
         FROM chunks WHERE run_id = ? ORDER BY series_idx, seq`,
      ),
      // The tail of a series (see MAX_TAIL_CHUNKS): the chunks after its last full one, counted inside SQLite (one
      // row back instead of one per chunk), and the last seq.
      tailIndex: p(
        `SELECT COUNT(*) AS chunks, COALESCE(SUM(n), 0) AS points, MIN(seq) AS first,
                (SELECT MAX(seq) FROM chunks WHERE run_id = @run AND series_idx = @idx) AS last
         FROM chunks WHERE run_id = @run AND series_idx = @idx AND seq > COALESCE(
           (SELECT seq FROM chunks WHERE run_id = @run AND series_idx = @idx AND n >= @full ORDER BY seq DESC LIMIT 1), -1)`,
      ),
      tailChunks: p(
        'SELECT series_idx, seq, n, steps, epochs, wall_times, vals FROM chunks WHERE run_id = ? AND series_idx = ? AND seq >= ? ORDER BY seq',
      ),
      deleteTail: p('DELETE FROM chunks WHERE run_id = ? AND series_idx = ? AND seq >= ?'),
      insertChunk: p(
        'INSERT INTO chunks (run_id, series_idx, seq, n, steps, epochs, wall_times, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      valuesOf: p('SELECT seq, n, vals FROM chunks WHERE run_id = ? AND series_idx = ? ORDER BY seq'),
      updateValues: p('UPDATE chunks SET vals = ? WHERE run_id = ? AND series_idx = ? AND seq = ?'),
      notesMeta: p('SELECT notes, meta FROM runs WHERE id = ?'),
      updateNotesMeta: p('UPDATE runs SET notes = ?, meta = ? WHERE id = ?'),
      listAll: p(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?`),
      listByStatus: p(`SELECT ${RUN_COLUMNS} FROM runs WHERE status = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`),
    };
  }

  async saveRuns(runs: NewRun[]): Promise<SavedRun[]> {
    return this.db.transaction((inputs: NewRun[]) => {
      const byHash = new Map<string, RunSummary>();
      return inputs.map((input): SavedRun => {
        const hash = input.source.contentHash;
        const earlier = byHash.get(hash);
        if (earlier) return { run: earlier, created: false };
        const existing = this.st.runByHash.get(hash) as RunRow | undefined;
        if (existing) {
          const run = toSummary(existing);
          byHash.set(hash, run);
          return { run, created: false };
        }
        const run = this.insertRun(input);
        byHash.set(hash, run);
        return { run, created: true };
      });
    }).immediate(runs);
  }

  async getRun(ref: string): Promise<Run | null> {
    const found = this.findRunsSync(ref);
    if (found.length !== 1) return null;
    return this.loadRun(found[0]!.id);
  }

  async findRuns(ref: string): Promise<RunSummary[]> {
    return this.findRunsSync(ref);
  }

  async listRuns(opts: ListRunsOptions = {}): Promise<RunSummary[]> {
    const limit = Math.max(0, Math.floor(opts.limit ?? 50));
    const rows = (opts.status ? this.st.listByStatus.all(opts.status, limit) : this.st.listAll.all(limit)) as RunRow[];
    return rows.map(toSummary);
  }

  async deleteRun(id: string): Promise<boolean> {
    return this.st.deleteRun.run(id).changes > 0;
  }

  /**
   * Group commit: appends requested while the event loop is busy (concurrent pushes of several runs) are committed
   * together, once that turn of the loop has run (setImmediate). Each append is a savepoint of the shared transaction:
   * one that fails is rolled back alone and rejects alone; each promise settles only after the commit. A commit writes
   * every page it touched to the WAL, and appends of a hundred points touch the same few pages (the runs and series
   * rows, the chunk index), so ten appends in one commit cost little more than one.
   */
  async appendPoints(runId: string, series: Series[], opts: AppendOptions = {}): Promise<RunSummary> {
    for (const s of series) checkColumns(s);
    return new Promise<RunSummary>((resolve, reject) => {
      this.pendingAppends.push({ run: () => this.appendNow(runId, series, opts), resolve, reject });
      if (this.pendingAppends.length === 1) setImmediate(() => this.commitAppends());
    });
  }

  private commitAppends(): void {
    const group = this.pendingAppends;
    this.pendingAppends = [];
    if (group.length === 0) return;
    const outcomes: ({ ok: true; run: RunSummary } | { ok: false; error: unknown })[] = [];
    try {
      this.db.transaction(() => {
        for (const a of group) {
          try {
            outcomes.push({ ok: true, run: a.run() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      }).immediate();
    } catch (error) {
      for (const a of group) a.reject(error);
      return;
    }
    group.forEach((a, i) => {
      const o = outcomes[i]!;
      if (o.ok) a.resolve(o.run);
      else a.reject(o.error);
    });
  }

  /** One append, as a transaction of its own (a savepoint inside commitAppends' transaction). */
  private appendNow(runId: string, series: Series[], opts: AppendOptions): RunSummary {
    return this.db.transaction(() => {
      const totals = this.st.runTally.get(runId) as TallyRow | undefined;
      if (!totals) throw new RunNotFoundError(runId);
      const e = opts.expect;
      if (e && (totals.points !== e.points || totals.updated_at !== e.updatedAt || totals.status !== e.status)) throw new RunChangedError(runId);
      // The epoch count depends on every point (smallest and largest epoch): kept as running state, not recounted.
      const tally = EpochTally.of(totals.epoch_min, totals.epoch_max, totals.epoch_frac);
      let points = totals.points;
      const existing = this.st.seriesOf.all(runId) as SeriesRow[];
      const byName = new Map(existing.map((r) => [r.name, r]));
      // Before the append: a tail merge below must see the stored points already rescaled.
      for (const { name, divisor } of opts.rescale ?? []) {
        const row = byName.get(name);
        if (row) this.divideValues(runId, row.idx, divisor);
      }
      if (opts.notes?.length || opts.meta) {
        const r = this.st.notesMeta.get(runId) as { notes: string; meta: string };
        const notes = [...(JSON.parse(r.notes) as string[]), ...(opts.notes ?? [])];
        const meta = { ...(JSON.parse(r.meta) as Record<string, unknown>), ...opts.meta };
        this.st.updateNotesMeta.run(JSON.stringify(notes), JSON.stringify(meta), runId);
      }
      let nextIdx = existing.reduce((m, r) => Math.max(m, r.idx + 1), 0);
      for (const s of series) {
        const row = byName.get(s.name);
        points += s.values.length;
        if (!row) {
          const idx = nextIdx++;
          this.insertSeries(runId, idx, s);
          tally.add(s);
          byName.set(s.name, { idx, key: s.key, split: s.split, name: s.name, direction: s.direction, cadence: s.cadence, points: s.values.length });
          continue;
        }
        if (s.values.length === 0) continue;
        this.appendToSeries(runId, row, s);
        // The series keeps the cadence it was created with.
        tally.add({ cadence: row.cadence as Series['cadence'], steps: s.steps, epochs: s.epochs });
        row.points += s.values.length;
        this.st.updateSeriesPoints.run(row.points, runId, row.idx);
      }
      const ep = tally.stored;
      this.st.updateRunTotals.run(points, ep.epochs, ep.epochMin, ep.epochMax, ep.epochFrac, ep.epochZero, this.now(), runId);
      return toSummary(this.st.runById.get(runId) as RunRow);
    })();
  }

  async setStatus(runId: string, status: RunStatus): Promise<RunSummary> {
    if (this.st.updateStatus.run(status, this.now(), runId).changes === 0) throw new RunNotFoundError(runId);
    return toSummary(this.st.runById.get(runId) as RunRow);
  }

  async close(): Promise<void> {
    if (this.db.open) this.commitAppends();
    if (this.ownsDb && this.db.open) this.db.close();
  }

  private findRunsSync(ref: string): RunSummary[] {
    const r = ref.trim();
    if (!r) return [];
    const byId = this.st.runById.get(r) as RunRow | undefined;
    if (byId) return [toSummary(byId)];
    const byName = this.st.runsByName.all(r) as RunRow[];
    if (byName.length) return byName.map(toSummary);
    // A prefix must be long enough not to match by accident; 'r_' may be left out.
    const prefix = r.startsWith('r_') ? r : `r_${r}`;
    if (prefix.length < 5) return [];
    return (this.st.runsByPrefix.all({ p: prefix }) as RunRow[]).map(toSummary);
  }

  private insertRun(input: NewRun): RunSummary {
    const { log, source } = input;
    for (const s of log.series) checkColumns(s);
    let id = newRunId(this.random);
    while (this.st.runById.get(id)) id = newRunId(this.random);
    const t = this.now();
    const tally = new EpochTally();
    for (const s of log.series) tally.add(s);
    const e = tally.stored;
    this.st.insertRun.run({
      id,
      name: log.name,
      format: source.format,
      file_name: source.fileName,
      content_hash: source.contentHash,
      created_at: t,
      updated_at: t,
      status: input.status ?? 'finished',
      points: countPoints(log),
      epochs: e.epochs,
      notes: JSON.stringify(log.notes ?? []),
      meta: JSON.stringify(log.meta ?? {}),
      epoch_min: e.epochMin,
      epoch_max: e.epochMax,
      epoch_frac: e.epochFrac,
      epoch_zero: e.epochZero,
    });
    log.series.forEach((s, idx) => this.insertSeries(id, idx, s));
    return toSummary(this.st.runById.get(id) as RunRow);
  }

  private insertSeries(runId: string, idx: number, s: Series): void {
    this.st.insertSeries.run(runId, idx, s.key, s.split, s.name, s.direction, s.cadence, s.values.length);
    this.writeChunks(runId, idx, 0, s, 0);
  }

  /** Writes points [from, n) of `s` as chunks numbered from `seq`. */
  private writeChunks(runId: string, idx: number, seq: number, s: Series, from: number): void {
    const n = s.values.length;
    for (let a = from; a < n; a += this.chunkPoints, seq++) {
      const b = Math.min(n, a + this.chunkPoints);
      this.st.insertChunk.run(
        runId, idx, seq, b - a,
        encodeColumn(s.steps.subarray(a, b), false),
        s.epochs ? encodeColumn(s.epochs.subarray(a, b)) : null,
        s.wallTimes ? encodeColumn(s.wallTimes.subarray(a, b)) : null,
        encodeColumn(s.values.subarray(a, b), false),
      );
    }
  }

  /** Divides every stored value of one series by `divisor`. */
  private divideValues(runId: string, idx: number, divisor: number): void {
    for (const c of this.st.valuesOf.all(runId, idx) as { seq: number; n: number; vals: Buffer }[]) {
      const values = new Float64Array(c.n);
      decodeColumnInto(c.vals, c.n, values, 0);
      for (let i = 0; i < c.n; i++) values[i] = values[i]! / divisor;
      this.st.updateValues.run(encodeColumn(values, false), runId, idx, c.seq);
    }
  }

  /**
   * Adds the points of `s` after the last chunk of the series: as one small chunk while the tail of small chunks stays
   * under a full chunk and MAX_TAIL_CHUNKS chunks, else by merging the tail and the new points into full chunks
   * (plus one small remainder).
   */
  private appendToSeries(runId: string, row: SeriesRow, s: Series): void {
    const tail = this.st.tailIndex.get({ run: runId, idx: row.idx, full: this.chunkPoints }) as {
      chunks: number; points: number; first: number | null; last: number | null;
    };
    const nextSeq = tail.last === null ? 0 : tail.last + 1;
    const tailSeq = tail.first ?? nextSeq;
    const tailPoints = tail.points;
    const tailChunks = tail.chunks;
    const n = s.values.length;
    if (tailChunks === 0 || (tailPoints + n < this.chunkPoints && tailChunks < MAX_TAIL_CHUNKS)) {
      this.writeChunks(runId, row.idx, nextSeq, s, 0);
      return;
    }
    const merged = mergeTail(runId, row.name, s, tailPoints, this.st.tailChunks.iterate(runId, row.idx, tailSeq) as IterableIterator<ChunkRow>);
    this.st.deleteTail.run(runId, row.idx, tailSeq);
    this.writeChunks(runId, row.idx, tailSeq, merged, 0);
  }

  private loadRun(id: string): Run {
    const row = this.st.runFull.get(id) as (RunRow & { notes: string; meta: string }) | undefined;
    if (!row) throw new RunNotFoundError(id);
    return { ...toSummary(row), series: this.loadSeries(id), notes: JSON.parse(row.notes), meta: JSON.parse(row.meta) };
  }

  /** Reassembles the columns of every series (series-chunks.ts, shared with the PostgreSQL store). */
  private loadSeries(runId: string): Series[] {
    const rows = this.st.seriesOf.all(runId) as SeriesRow[];
    const stored = this.st.chunkSignatures.iterate(runId) as IterableIterator<{ series_idx: number; n: number; s: Buffer | null; s_big: number; e: Buffer | null; e_big: number; e_null: number }>;
    function* signatures(): Generator<ChunkSignature> {
      for (const c of stored) yield { series_idx: c.series_idx, n: c.n, s: c.s, sBig: !!c.s_big, e: c.e, eBig: !!c.e_big, eNull: !!c.e_null };
    }
    return assembleSeries(runId, rows, sharedColumns(rows, signatures()), this.st.chunksOf.iterate(runId) as IterableIterator<ChunkRow>);
  }
}

function toSummary(r: RunRow): RunSummary {
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

