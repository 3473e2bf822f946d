import type { Database, Statement } from 'better-sqlite3';
import type { LogFormat, Run, RunStatus, RunSummary, Series } from '../domain/run.ts';
import { countEpochs, countPoints } from '../ingest/series-builder.ts';
import { decodeColumnInto, encodeColumn } from './column-codec.ts';
import { openDatabase } from './database.ts';
import { cryptoRandom, newRunId, type RandomSource } from './run-id.ts';
import { RunNotFoundError, type ListRunsOptions, type NewRun, type RunStore, type SavedRun } from './run-store.ts';

/** Points per chunk: 4096 float64s = 32 KiB per column, a few pages each. */
export const DEFAULT_CHUNK_POINTS = 4096;

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
  notes: string;
  meta: string;
}

interface SeriesRow {
  idx: number;
  key: string;
  split: string;
  name: string;
  direction: string;
  cadence: string;
  points: number;
}

interface ChunkRow {
  series_idx: number;
  seq: number;
  n: number;
  steps: Buffer;
  epochs: Buffer | null;
  wall_times: Buffer | null;
  vals: Buffer;
}

const RUN_COLUMNS = 'id, name, format, file_name, content_hash, created_at, updated_at, status, points, epochs';

export class SqliteRunStore implements RunStore {
  private readonly now: () => number;
  private readonly random: RandomSource;
  private readonly chunkPoints: number;
  private readonly st: Record<
    | 'runById' | 'runByHash' | 'runsByName' | 'runsByPrefix' | 'runFull' | 'insertRun' | 'updateRunTotals'
    | 'updateStatus' | 'deleteRun' | 'seriesOf' | 'insertSeries' | 'updateSeriesPoints' | 'chunksOf'
    | 'chunkIndexOf' | 'chunkSignatures' | 'lastChunk' | 'insertChunk' | 'updateChunk' | 'listAll' | 'listByStatus',
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
        `INSERT INTO runs (id, name, format, file_name, content_hash, created_at, updated_at, status, points, epochs, notes, meta)
         VALUES (@id, @name, @format, @file_name, @content_hash, @created_at, @updated_at, @status, @points, @epochs, @notes, @meta)`,
      ),
      updateRunTotals: p('UPDATE runs SET points = ?, epochs = ?, updated_at = ? WHERE id = ?'),
      updateStatus: p('UPDATE runs SET status = ?, updated_at = ? WHERE id = ?'),
      deleteRun: p('DELETE FROM runs WHERE id = ?'),
      seriesOf: p('SELECT idx, key, split, name, direction, cadence, points FROM series WHERE run_id = ? ORDER BY idx'),
      insertSeries: p(
        `INSERT INTO series (run_id, idx, key, split, name, direction, cadence, points) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateSeriesPoints: p('UPDATE series SET points = ? WHERE run_id = ? AND idx = ?'),
      chunksOf: p('SELECT series_idx, seq, n, steps, epochs, wall_times, vals FROM chunks WHERE run_id = ? ORDER BY series_idx, seq'),
      // Without the value blobs: enough to recount epochs after an append.
      chunkIndexOf: p('SELECT series_idx, seq, n, steps, epochs, NULL AS wall_times, NULL AS vals FROM chunks WHERE run_id = ? ORDER BY series_idx, seq'),
      // Only small blobs are read (length() alone does not load a blob): enough to tell identical step/epoch columns.
      chunkSignatures: p(
        `SELECT series_idx, n,
                CASE WHEN length(steps) <= 16 THEN steps END AS s, length(steps) > 16 AS s_big,
                CASE WHEN length(epochs) <= 16 THEN epochs END AS e, length(epochs) > 16 AS e_big, epochs IS NULL AS e_null
         FROM chunks WHERE run_id = ? ORDER BY series_idx, seq`,
      ),
      lastChunk: p(
        'SELECT series_idx, seq, n, steps, epochs, wall_times, vals FROM chunks WHERE run_id = ? AND series_idx = ? ORDER BY seq DESC LIMIT 1',
      ),
      insertChunk: p(
        'INSERT INTO chunks (run_id, series_idx, seq, n, steps, epochs, wall_times, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      updateChunk: p(
        'UPDATE chunks SET n = ?, steps = ?, epochs = ?, wall_times = ?, vals = ? WHERE run_id = ? AND series_idx = ? AND seq = ?',
      ),
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

  async appendPoints(runId: string, series: Series[]): Promise<RunSummary> {
    for (const s of series) checkColumns(s);
    return this.db.transaction(() => {
      if (!this.st.runById.get(runId)) throw new RunNotFoundError(runId);
      const existing = this.st.seriesOf.all(runId) as SeriesRow[];
      const byName = new Map(existing.map((r) => [r.name, r]));
      let nextIdx = existing.reduce((m, r) => Math.max(m, r.idx + 1), 0);
      for (const s of series) {
        const row = byName.get(s.name);
        if (!row) {
          const idx = nextIdx++;
          this.insertSeries(runId, idx, s);
          byName.set(s.name, { idx, key: s.key, split: s.split, name: s.name, direction: s.direction, cadence: s.cadence, points: s.values.length });
          continue;
        }
        if (s.values.length === 0) continue;
        this.appendToSeries(runId, row, s);
        row.points += s.values.length;
        this.st.updateSeriesPoints.run(row.points, runId, row.idx);
      }
      // Recount from what is stored: the epoch count depends on all points (max epoch, 0- or 1-based).
      const stored = this.loadSeries(runId, false);
      let points = 0;
      for (const r of byName.values()) points += r.points;
      this.st.updateRunTotals.run(points, countEpochs(stored), this.now(), runId);
      return toSummary(this.st.runById.get(runId) as RunRow);
    }).immediate();
  }

  async setStatus(runId: string, status: RunStatus): Promise<RunSummary> {
    if (this.st.updateStatus.run(status, this.now(), runId).changes === 0) throw new RunNotFoundError(runId);
    return toSummary(this.st.runById.get(runId) as RunRow);
  }

  async close(): Promise<void> {
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
      epochs: countEpochs(log.series),
      notes: JSON.stringify(log.notes ?? []),
      meta: JSON.stringify(log.meta ?? {}),
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

  /** Tops up the last chunk to full size (so live pushes don't leave thousands of tiny chunks), then adds new ones. */
  private appendToSeries(runId: string, row: SeriesRow, s: Series): void {
    const last = this.st.lastChunk.get(runId, row.idx) as ChunkRow | undefined;
    if (!last) {
      this.writeChunks(runId, row.idx, 0, s, 0);
      return;
    }
    const room = this.chunkPoints - last.n;
    const take = Math.min(room, s.values.length);
    if (take > 0) {
      const m = last.n + take;
      const merge = (blob: Buffer | null, add: Float64Array | null, required: boolean): Buffer | null => {
        if (blob === null && add === null && !required) return null;
        const out = new Float64Array(m);
        decodeColumnInto(blob, last.n, out, 0);
        if (add) out.set(add.subarray(0, take), last.n);
        else out.fill(NaN, last.n);
        return encodeColumn(out, !required);
      };
      this.st.updateChunk.run(
        m,
        merge(last.steps, s.steps, true),
        merge(last.epochs, s.epochs, false),
        merge(last.wall_times, s.wallTimes, false),
        merge(last.vals, s.values, true),
        runId, row.idx, last.seq,
      );
    }
    this.writeChunks(runId, row.idx, last.seq + 1, s, take);
  }

  private loadRun(id: string): Run {
    const row = this.st.runFull.get(id) as (RunRow & { notes: string; meta: string }) | undefined;
    if (!row) throw new RunNotFoundError(id);
    return { ...toSummary(row), series: this.loadSeries(id, true), notes: JSON.parse(row.notes), meta: JSON.parse(row.meta) };
  }

  /**
   * Reassembles the columns of every series. Without `values`, only steps and epochs are read (for recounting):
   * value columns are left empty and wall times null.
   */
  private loadSeries(runId: string, withValues: boolean): Series[] {
    const rows = this.st.seriesOf.all(runId) as SeriesRow[];
    const shared = this.sharedColumns(runId, rows);
    const out = rows.map((r) => {
      const sh = shared.get(r.idx)!;
      return {
        meta: r,
        filled: 0,
        steps: sh.steps.array,
        decodeSteps: sh.steps.decode,
        epochs: sh.epochs?.array ?? null,
        decodeEpochs: sh.epochs?.decode ?? false,
        wallTimes: null as Float64Array | null,
        values: new Float64Array(withValues ? r.points : 0),
      };
    });
    const byIdx = new Map(out.map((o) => [o.meta.idx, o]));
    const chunks = withValues ? this.st.chunksOf : this.st.chunkIndexOf;
    for (const c of chunks.iterate(runId) as IterableIterator<ChunkRow>) {
      const o = byIdx.get(c.series_idx);
      if (!o) continue;
      const at = o.filled;
      if (at + c.n > o.meta.points) throw new Error(`corrupt run ${runId}: series ${o.meta.name} has more points than recorded`);
      if (o.decodeSteps) decodeColumnInto(c.steps, c.n, o.steps, at);
      if (o.decodeEpochs) decodeColumnInto(c.epochs, c.n, o.epochs!, at);
      if (c.wall_times) decodeColumnInto(c.wall_times, c.n, (o.wallTimes ??= new Float64Array(o.meta.points).fill(NaN)), at);
      if (withValues) decodeColumnInto(c.vals, c.n, o.values, at);
      o.filled += c.n;
    }
    return out.map((o) => ({
      key: o.meta.key,
      split: o.meta.split as Series['split'],
      name: o.meta.name,
      direction: o.meta.direction as Series['direction'],
      cadence: o.meta.cadence as Series['cadence'],
      steps: o.steps,
      epochs: o.epochs,
      wallTimes: o.wallTimes,
      values: o.values,
    }));
  }

  /**
   * Allocates the step and epoch arrays of a run, one array per distinct column: series logged together share their
   * steps (and Keras epochs equal steps), and a 5-million-point load spends most of its time touching fresh memory.
   * Two columns are the same when their chunks have the same lengths and the same small (arithmetic) blobs; this is
   * read without loading any large blob. `decode` is true for the one series that fills a shared array.
   */
  private sharedColumns(runId: string, rows: SeriesRow[]) {
    const sigs = new Map<number, { steps: string[] | null; epochs: string[] | null; anyEpochs: boolean }>();
    for (const r of rows) sigs.set(r.idx, { steps: [], epochs: [], anyEpochs: false });
    const hex = (b: Buffer | null) => (b === null ? '-' : b.toString('hex'));
    for (const c of this.st.chunkSignatures.iterate(runId) as IterableIterator<{
      series_idx: number; n: number; s: Buffer | null; s_big: number; e: Buffer | null; e_big: number; e_null: number;
    }>) {
      const sig = sigs.get(c.series_idx);
      if (!sig) continue;
      if (c.s_big) sig.steps = null;
      else sig.steps?.push(`${c.n}:${hex(c.s)}`);
      if (!c.e_null) sig.anyEpochs = true;
      if (c.e_big) sig.epochs = null;
      else sig.epochs?.push(`${c.n}:${hex(c.e)}`);
    }
    const byKey = new Map<string, Float64Array>();
    const column = (points: number, parts: string[] | null, nanFill: boolean) => {
      const key = parts ? `${points}|${parts.join(',')}` : null;
      const existing = key ? byKey.get(key) : undefined;
      if (existing) return { array: existing, decode: false };
      const array = new Float64Array(points);
      if (nanFill) array.fill(NaN);
      if (key) byKey.set(key, array);
      return { array, decode: true };
    };
    const out = new Map<number, { steps: { array: Float64Array; decode: boolean }; epochs: { array: Float64Array; decode: boolean } | null }>();
    for (const r of rows) {
      const sig = sigs.get(r.idx)!;
      out.set(r.idx, {
        steps: column(r.points, sig.steps, false),
        // NaN-filled first: chunks without epochs (NULL) leave their range unknown.
        epochs: sig.anyEpochs ? column(r.points, sig.epochs, true) : null,
      });
    }
    return out;
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
  };
}

/** A parser bug, not user input: columns of one series must line up. */
function checkColumns(s: Series): void {
  const n = s.values.length;
  if (s.steps.length !== n || (s.epochs && s.epochs.length !== n) || (s.wallTimes && s.wallTimes.length !== n)) {
    throw new Error(`series ${s.name}: columns have different lengths`);
  }
}
