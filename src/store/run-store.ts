/**
 * Where runs live. Everything outside src/store/ talks to this interface, never to SQL, so another backend
 * (Postgres) can be added by implementing it. Methods are async for that reason even though SQLite is synchronous.
 */
import type { Run, RunLog, RunSource, RunStatus, RunSummary, Series } from '../domain/run.ts';

export interface NewRun {
  log: RunLog;
  /**
   * `contentHash` identifies the run for dedupe. For a file it is the sha256 of its bytes (see ingest-files.ts);
   * a run without a file (a live push, a job) needs its own stable unique key, e.g. 'push:<client run id>' or 'job:<job id>'.
   */
  source: RunSource;
  /** 'finished' for a file; a live push or a job starts 'running'. */
  status?: RunStatus;
}

export interface SavedRun {
  run: RunSummary;
  /** false when a run with the same content hash already existed: that run is returned, nothing is written. */
  created: boolean;
}

export interface AppendOptions {
  /**
   * Series (by name) whose points already stored are divided by `divisor` before the new points are appended, in the
   * same transaction: a pushed accuracy that a later batch showed to be in percent.
   */
  rescale?: { name: string; divisor: number }[];
  /** Lines added to the run's notes (e.g. what was rescaled). */
  notes?: string[];
  /** Keys set in the run's meta (shallow merge). */
  meta?: Record<string, unknown>;
  /**
   * Append only if the stored run is still as this summary of it says (points, updatedAt, status): a caller keeping
   * its own copy of a run that other processes write too (API replicas) learns in the same step that its copy is out
   * of date. Otherwise RunChangedError, and nothing is written.
   */
  expect?: Pick<RunSummary, 'points' | 'updatedAt' | 'status'>;
}

export interface ListRunsOptions {
  /** At most this many, newest first (default 50). */
  limit?: number;
  status?: RunStatus;
}

/** A run's summary and meta, and the points of its series after those a caller knows (RunStore.pointsSince). */
export interface RunSince {
  run: RunSummary;
  meta: Record<string, unknown>;
  /** Every stored series, holding only its points from the index asked for on (all of a series not asked for). */
  series: Series[];
}

export interface RunStore {
  /**
   * Stores several runs in ONE transaction: if any fails, none is stored. A run whose `source.contentHash`
   * is already stored (or appears earlier in the same call) is not stored again; the existing run is returned.
   */
  saveRuns(runs: NewRun[]): Promise<SavedRun[]>;
  /**
   * A run with all its series, by exact id, else by unique name, else by unique id prefix; null when none or ambiguous.
   * Treat the columns as read-only: series logged together may share one `steps`/`epochs` array.
   */
  getRun(ref: string): Promise<Run | null>;
  /** The runs a reference could mean (exact id, else name, else id prefix): for "did you mean" and ambiguity messages. */
  findRuns(ref: string): Promise<RunSummary[]>;
  listRuns(opts?: ListRunsOptions): Promise<RunSummary[]>;
  /** True when a run was deleted. */
  deleteRun(id: string): Promise<boolean>;
  /**
   * Appends points to a run's series (a live push, a running job), matching series by their source `name`;
   * a name not seen before becomes a new series. Points are appended in the order given. Returns the updated summary.
   * Throws RunNotFoundError for an unknown id.
   */
  appendPoints(runId: string, series: Series[], opts?: AppendOptions): Promise<RunSummary>;
  /** Throws RunNotFoundError for an unknown id. */
  setStatus(runId: string, status: RunStatus): Promise<RunSummary>;
  /**
   * What a caller holding the first `from.get(name)` points of each series lacks, in one snapshot: for a process
   * keeping a run that other processes append to (API replicas), instead of reloading the whole run. Null when the run
   * is gone or `from` does not fit it (a series not stored, more points than stored). Stores written by one process
   * only need not have it.
   */
  pointsSince?(runId: string, from: ReadonlyMap<string, number>): Promise<RunSince | null>;
  close(): Promise<void>;
}

/** A run reference that matches nothing (or several runs). The faces turn it into "no run …" with exit code 2. */
export class RunNotFoundError extends Error {
  readonly ref: string;
  readonly candidates: RunSummary[];
  constructor(ref: string, candidates: RunSummary[] = []) {
    super(
      candidates.length > 1
        ? `"${ref}" matches ${candidates.length} runs (${candidates.slice(0, 5).map((c) => `${c.id} ${c.name}`).join(', ')}); use the id`
        : `no run with id or name "${ref}"`,
    );
    this.name = 'RunNotFoundError';
    this.ref = ref;
    this.candidates = candidates;
  }
}

/** An append with `expect` found the run changed since (AppendOptions.expect): nothing was written. */
export class RunChangedError extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} changed since it was read`);
    this.name = 'RunChangedError';
  }
}

export function isRunNotFoundError(e: unknown): e is RunNotFoundError {
  return e instanceof RunNotFoundError;
}
