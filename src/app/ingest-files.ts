/**
 * The ingest use case: files, directories and zips on disk (CLI, demo) or uploaded bytes (bot, HTTP) → stored runs.
 * All runs of one call are stored in one transaction: if any path fails to read or parse, nothing is stored.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { RunLog, RunSummary } from '../domain/run.ts';
import { findControlChar, stripControlChars } from '../domain/control-chars.ts';
import type { FileEntry } from '../ingest/entries.ts';
import { IngestError } from '../ingest/ingest-error.ts';
import { parseEntries, parseFile, type ParseOptions } from '../ingest/index.ts';
import { isZip } from '../ingest/archive.ts';
import type { Logger } from '../logger.ts';
import type { NewRun, RunStore } from '../store/run-store.ts';

/** The two entry points of the ingest module; injectable so the use case can be tested on its own. */
export interface LogParser {
  parseFile(bytes: Uint8Array, fileName: string, opts?: ParseOptions): RunLog[];
  parseEntries(entries: FileEntry[], rootName: string, opts?: ParseOptions): RunLog[];
}

export const defaultLogParser: LogParser = { parseFile, parseEntries };

export interface IngestOptions {
  /** Overrides the parsed run name; with several runs they become `name-1`, `name-2` … */
  name?: string;
  /** Largest file (and largest directory total) accepted, in bytes. */
  maxBytes?: number;
  /** Most runs one file may hold (INGEST_MAX_RUNS_PER_FILE). */
  maxRunsPerFile?: number;
  parser?: LogParser;
  log?: Logger;
}

export interface IngestedRun {
  run: RunSummary;
  /** false when the same content was already stored: the existing run is returned. */
  created: boolean;
  /** The path (or upload name) the run came from. */
  from: string;
  /** How the file was read (from the parser), for the user. */
  notes: string[];
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_MAX_RUNS_PER_FILE = 1000;
/** A directory holding more files than this is almost certainly not a log folder (e.g. a dataset). */
const MAX_DIR_FILES = 10_000;

/** Reads and parses every path, then stores all runs at once. Throws IngestError for unreadable or unparsable input. */
export async function ingestPaths(store: RunStore, paths: string[], opts: IngestOptions = {}): Promise<IngestedRun[]> {
  if (paths.length === 0) throw new IngestError({ file: '(none)', reason: 'no file given: expected a log file, directory or zip' });
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const parser = opts.parser ?? defaultLogParser;
  const found: Array<{ log: RunLog; from: string; hash: string }> = [];
  for (const p of paths) {
    const st = statOrThrow(p);
    if (st.isDirectory()) {
      const entries = readTree(p, maxBytes);
      // What archives inside may inflate to is bounded by what the directory could still hold.
      const inflate = maxBytes - entries.reduce((n, e) => n + e.bytes.byteLength, 0);
      const logs = parser.parseEntries(entries, path.basename(path.resolve(p)), { maxInflatedBytes: Math.max(0, inflate) });
      found.push(...withHashes(checkRunsPerFile(logs, p, false, opts), hashEntries(entries), p));
    } else {
      const bytes = readFileChecked(p, st, maxBytes);
      // A zip may inflate to INGEST_MAX_BYTES, as much as a plain file may be.
      found.push(...withHashes(checkRunsPerFile(parser.parseFile(bytes, p, { maxInflatedBytes: maxBytes }), p, !isZip(bytes), opts), sha256(bytes), p));
    }
  }
  return store_(store, found, opts);
}

/** Parses uploaded bytes (a log file or a zip) and stores the runs. `fileName` names the upload in messages and run names. */
export async function ingestBytes(store: RunStore, bytes: Uint8Array, fileName: string, opts: IngestOptions = {}): Promise<IngestedRun[]> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.byteLength > maxBytes) throw tooBig(fileName, bytes.byteLength, maxBytes);
  const parser = opts.parser ?? defaultLogParser;
  const logs = parser.parseFile(bytes, fileName, { maxInflatedBytes: maxBytes });
  return store_(store, withHashes(checkRunsPerFile(logs, fileName, !isZip(bytes), opts), sha256(bytes), fileName), opts);
}

async function store_(store: RunStore, found: Array<{ log: RunLog; from: string; hash: string }>, opts: IngestOptions): Promise<IngestedRun[]> {
  if (found.length === 0) {
    throw new IngestError({ file: '(input)', reason: 'no training run found: expected at least one log with a loss or metric series' });
  }
  const inputs: NewRun[] = found.map(({ log, from, hash }, i) => ({
    log: withCleanNames(opts.name ? { ...log, name: found.length === 1 ? opts.name : `${opts.name}-${i + 1}` } : log),
    source: { format: log.format, fileName: path.basename(from), contentHash: hash },
  }));
  const saved = await store.saveRuns(inputs);
  return saved.map((s, i) => {
    opts.log?.info({ runId: s.run.id, points: s.run.points, created: s.created, from: found[i]!.from }, s.created ? 'ingested' : 'already stored');
    return { run: s.run, created: s.created, from: found[i]!.from, notes: found[i]!.log.notes };
  });
}

/**
 * Names taken from files (a file or folder name, a CSV header, an MLflow run name) lose their control and
 * bidirectional-override characters before they are stored: a name is shown in terminals and in Discord.
 */
function withCleanNames(log: RunLog): RunLog {
  const name = stripControlChars(log.name) || 'run';
  let series = log.series;
  if (series.some((s) => findControlChar(s.name) || findControlChar(s.key))) {
    series = series.map((s) => ({ ...s, name: stripControlChars(s.name) || s.key, key: stripControlChars(s.key) || 'metric' }));
  }
  return name === log.name && series === log.series ? log : { ...log, name, series };
}

/**
 * One small file could become 30,000 runs (a Keras CSV whose epoch went back on every row): past
 * INGEST_MAX_RUNS_PER_FILE runs from one file, nothing is stored. A single file's runs are all its own; inside a
 * directory or archive, a table of appended runs says how many it holds (meta.runsInFile).
 */
function checkRunsPerFile(logs: RunLog[], from: string, oneFile: boolean, opts: IngestOptions): RunLog[] {
  const max = opts.maxRunsPerFile ?? DEFAULT_MAX_RUNS_PER_FILE;
  const appended = logs.find((l) => typeof l.meta?.runsInFile === 'number' && l.meta.runsInFile > max);
  const count = oneFile ? logs.length : ((appended?.meta?.runsInFile as number | undefined) ?? 0);
  if (count > max) {
    const inside = !oneFile && appended ? ` (the file of run '${appended.name}')` : '';
    throw new IngestError({ file: from, reason: `${count} runs in one file${inside}, over the limit of ${max} runs per file (INGEST_MAX_RUNS_PER_FILE)` });
  }
  return logs;
}

/** One hash per run: the content's sha256, suffixed with the run's index when the content held several runs. */
function withHashes(logs: RunLog[], hash: string, from: string) {
  return logs.map((log, i) => ({ log, from, hash: logs.length === 1 ? hash : `${hash}#${i}` }));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A directory's identity: its relative paths and bytes, in path order, so the same tree hashes the same anywhere. */
function hashEntries(entries: FileEntry[]): string {
  const h = createHash('sha256');
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${e.path}\0${e.bytes.byteLength}\0`);
    h.update(e.bytes);
  }
  return h.digest('hex');
}

/** A path the user named: symbolic links are followed (a link to a log is a log). */
function statOrThrow(p: string): Stats {
  try {
    return statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IngestError({ file: p, reason: code === 'ENOENT' ? 'no such file or directory' : `cannot read (${code ?? (e as Error).message})` });
  }
}

function readFileChecked(p: string, st: Stats, maxBytes: number): Uint8Array {
  if (!st.isFile()) throw new IngestError({ file: p, reason: 'not a regular file: expected a log file, directory or zip' });
  if (st.size > maxBytes) throw tooBig(p, st.size, maxBytes);
  try {
    return readFileSync(p);
  } catch (e) {
    throw new IngestError({ file: p, reason: `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
  }
}

/** Walks a directory into entries with '/'-separated relative paths. Symbolic links inside are not followed (no cycles). */
export function readTree(root: string, maxBytes: number): FileEntry[] {
  const out: FileEntry[] = [];
  let total = 0;
  const walk = (dir: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      throw new IngestError({ file: dir, reason: `cannot list directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
    }
    for (const name of names) {
      const full = path.join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full, relPath);
      else if (st.isFile()) {
        total += st.size;
        if (total > maxBytes) throw tooBig(root, total, maxBytes, 'directory');
        if (out.length >= MAX_DIR_FILES) throw new IngestError({ file: root, reason: `more than ${MAX_DIR_FILES} files: expected a folder of training logs` });
        out.push({ path: relPath, bytes: readFileChecked(full, st, maxBytes) });
      }
    }
  };
  walk(root, '');
  if (out.length === 0) throw new IngestError({ file: root, reason: 'empty directory: expected training log files' });
  return out;
}

function tooBig(file: string, size: number, max: number, what = 'file'): IngestError {
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  return new IngestError({ file, reason: `${what} is ${mb(size)}, over the limit of ${mb(max)} (INGEST_MAX_BYTES)` });
}
