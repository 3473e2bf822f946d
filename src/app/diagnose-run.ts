/**
 * The diagnose use case: a stored run (by id or name), a log file or a log directory on disk → one verdict per run.
 * Files are parsed, not stored, so `runmedic diagnose file.csv` can gate CI without touching a database.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DiagnoseContext } from '../domain/context.ts';
import type { Run, RunLog, RunSummary, Series } from '../domain/run.ts';
import type { Verdict, VerdictItem } from '../domain/verdict.ts';
import { diagnose, worstStatus } from '../diagnose/index.ts';
import { IngestError } from '../ingest/ingest-error.ts';
import { useTestAsValidation } from '../ingest/series-builder.ts';
import { RunNotFoundError, type RunStore } from '../store/run-store.ts';
import type { JobStore } from '../store/job-store.ts';
import type { PushStore } from './push-store.ts';
import { defaultLogParser, readTree, type LogParser } from './ingest-files.ts';
import { stalledItem } from './stalled-item.ts';

export interface DiagnoseOptions {
  /** Number of classes K, when the caller knows it (chance level, initial loss). */
  classes?: number;
  /** Anything else known about the run (dataset statistics, instrumentation, config). */
  context?: DiagnoseContext;
  parser?: LogParser;
  /** Largest file accepted, in bytes. */
  maxBytes?: number;
  /**
   * Where a stored run's measured context comes from (the training job that made it). Without it a job-made run
   * loses its data, gradient and architecture items, which only the job's own measurements can answer.
   */
  contexts?: RunContextSource;
}

/** The measured context of a stored run, when something measured it (a training job); null for uploaded logs. */
export interface RunContextSource {
  contextOf(runId: string): Promise<DiagnoseContext | null>;
  /**
   * Findings about the run's state in time that the pure engine cannot see (a pushed run gone silent: `stalled`),
   * put first in its verdict by every face, as the push API's own verdict has them.
   */
  stateFindings?(run: RunSummary): Promise<VerdictItem[]>;
}

/** The job store as a RunContextSource; `jobs` may be opened lazily, so diagnosing a file never opens the database. */
export function jobContexts(jobs: Pick<JobStore, 'getByRunId'> | (() => Promise<Pick<JobStore, 'getByRunId'>>)): RunContextSource {
  return {
    async contextOf(runId) {
      const store = typeof jobs === 'function' ? await jobs() : jobs;
      return (await store.getByRunId(runId))?.context ?? null;
    },
  };
}

type Lazy<T> = T | (() => Promise<T>);

/** A pushed run's declared context (config, classes, POST /dataset statistics) as the push API stored it. */
export function pushedRunContexts(push: Lazy<Pick<PushStore, 'pushedRun'>>, now: () => number = Date.now): RunContextSource {
  const open = async () => (typeof push === 'function' ? await push() : push);
  return {
    async contextOf(runId) {
      return (await (await open()).pushedRun(runId))?.context ?? null;
    },
    async stateFindings(run) {
      if (run.status !== 'stalled') return [];
      const record = await (await open()).pushedRun(run.id);
      return record ? [stalledItem(record, now() - record.lastSeenAt)] : [];
    },
  };
}

/**
 * The one context source every face uses (CLI diagnose and chart, the bot's /diagnose, reports): what a training job
 * measured and what a pushed run declared. A run comes from one or the other; when both know it, the job's
 * measurements win field by field over declarations.
 */
export function storedRunContexts(o: {
  jobs?: Lazy<Pick<JobStore, 'getByRunId'>>;
  pushed?: Lazy<Pick<PushStore, 'pushedRun'>>;
  /** The clock a stalled run's silence is measured on. */
  now?: () => number;
}): RunContextSource {
  const sources = [o.pushed && pushedRunContexts(o.pushed, o.now), o.jobs && jobContexts(o.jobs)].filter((x): x is RunContextSource => !!x);
  return {
    async contextOf(runId) {
      let merged = null as DiagnoseContext | null;
      for (const src of sources) {
        const c = await src.contextOf(runId);
        if (c) merged = merged ? { ...merged, ...c } : c;
      }
      return merged;
    },
    async stateFindings(run) {
      const all = await Promise.all(sources.map((src) => src.stateFindings?.(run) ?? []));
      return all.flat();
    },
  };
}

export interface DiagnosedRun {
  verdict: Verdict;
  from: 'file' | 'store';
  /** How the file was read (parser notes) or the stored run's notes. */
  notes: string[];
  /** The curves that were diagnosed (the parsed log or the stored run; not copied), for a chart of the same run. */
  run: { name: string; series: Series[] };
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** `target` is a path when a file or directory exists there (a TensorBoard log dir, an MLflow store), else a run reference in the store. */
export async function diagnoseTarget(target: string, openStore: () => Promise<RunStore>, opts: DiagnoseOptions = {}): Promise<DiagnosedRun[]> {
  if (existsSync(target) && statSync(target).isFile()) return diagnoseFile(target, opts);
  if (existsSync(target)) return diagnoseDirectory(target, opts);
  const store = await openStore();
  const run = await store.getRun(target);
  if (!run) {
    const candidates = await store.findRuns(target);
    if (candidates.length > 1) throw new RunNotFoundError(target, candidates);
    throw new IngestError({ file: target, reason: 'no such file, and no stored run with this id or name' });
  }
  return [{ verdict: await diagnoseStoredRun(run, opts), from: 'store', notes: run.notes, run }];
}

/** Diagnoses a stored run with what was measured about it (`opts.contexts`); `opts.context` adds to or overrides it. */
export async function diagnoseStoredRun(run: Run, opts: DiagnoseOptions = {}): Promise<Verdict> {
  const measured = opts.contexts ? await opts.contexts.contextOf(run.id) : null;
  const verdict = diagnoseStored(run, measured ? { ...opts, context: { ...measured, ...opts.context } } : opts);
  const state = (await opts.contexts?.stateFindings?.(run)) ?? [];
  return withStateFindings(verdict, state);
}

/** The verdict with findings about the run's state first; its status the worst of all. */
export function withStateFindings(v: Verdict, state: VerdictItem[]): Verdict {
  if (state.length === 0) return v;
  const items = [...state, ...v.items];
  return { ...v, items, status: worstStatus(items) };
}

/** Diagnoses a run already in the store with the context given in `opts` only (see diagnoseStoredRun). */
export function diagnoseStored(run: Run, opts: DiagnoseOptions = {}): Verdict {
  return diagnose({ id: run.id, name: run.name, format: run.source.format, series: diagnosableSeries(run.source.format, run.series), points: run.points, epochs: run.epochs, firstEpoch: run.firstEpoch }, contextOf(opts));
}

/**
 * The series the engine sees for a stored run. Pushed runs are stored as sent (a `test_loss` stays a test series), and
 * the push API judges them with test standing in for a missing validation split; file logs had that done at parse.
 * Shared so the API's verdict and every later diagnosis of the same run agree.
 */
export function diagnosableSeries(format: string, series: Series[]): Series[] {
  return format === 'push' ? useTestAsValidation(series, []) : series;
}

/** Reads and parses one file; every run in it gets a verdict (ids are the file name, `#n` when it holds several). */
export function diagnoseFile(file: string, opts: DiagnoseOptions = {}): DiagnosedRun[] {
  const size = statSync(file).size;
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (size > max) throw new IngestError({ file, reason: `is ${size} bytes, more than the ${max}-byte limit` });
  // A view of the Buffer readFileSync returns, not a copy: `new Uint8Array(buffer)` copied every byte (~20 ms a 50 MB log).
  const buf = readFileSync(file);
  const logs = (opts.parser ?? defaultLogParser).parseFile(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), file, { maxInflatedBytes: max });
  if (logs.length === 0) throw new IngestError({ file, reason: 'no training run found: expected a log with a loss or metric series' });
  return diagnoseLogs(logs, path.basename(file), opts);
}

/** Reads a directory (event files, an MLflow store, several logs) and diagnoses every run found in it. */
export function diagnoseDirectory(dir: string, opts: DiagnoseOptions = {}): DiagnosedRun[] {
  const root = path.basename(path.resolve(dir));
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const entries = readTree(dir, max);
  const inflate = Math.max(0, max - entries.reduce((n, e) => n + e.bytes.byteLength, 0));
  const logs = (opts.parser ?? defaultLogParser).parseEntries(entries, root, { maxInflatedBytes: inflate });
  if (logs.length === 0) throw new IngestError({ file: dir, reason: 'no training run found in this directory' });
  return diagnoseLogs(logs, root, opts);
}

export function diagnoseLogs(logs: RunLog[], fileName: string, opts: DiagnoseOptions = {}): DiagnosedRun[] {
  return logs.map((log, i) => ({
    verdict: diagnose({ id: logs.length === 1 ? fileName : `${fileName}#${i + 1}`, name: log.name, format: log.format, series: log.series }, contextOf(opts)),
    from: 'file' as const,
    notes: log.notes,
    run: log,
  }));
}

function contextOf(opts: DiagnoseOptions): DiagnoseContext {
  return opts.classes !== undefined ? { ...opts.context, classes: opts.classes } : { ...opts.context };
}
