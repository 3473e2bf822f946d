/**
 * The chart use case: a log file or a stored run → its verdict and a PNG of its curves with the verdict's marks.
 * Shared by `runmedic chart`, `runmedic diagnose --chart` and the demo; the bot renders through `renderRunChart`.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Verdict } from '../domain/verdict.ts';
import { renderRunChart, type ChartRun } from '../charts/run-chart.ts';
import type { ThemeName } from '../charts/theme.ts';
import { IngestError } from '../ingest/ingest-error.ts';
import { RunNotFoundError, type RunStore } from '../store/run-store.ts';
import { diagnoseLogs, diagnoseStored, type DiagnosedRun, type DiagnoseOptions } from './diagnose-run.ts';
import { defaultLogParser, readTree } from './ingest-files.ts';

/** A diagnosed run together with the curves a chart draws. */
export interface ChartedRun extends DiagnosedRun {
  run: ChartRun;
}

export interface ChartFileOptions {
  theme?: ThemeName;
  /** PNG pixels per SVG pixel (2 for sharp images on high-density screens). */
  scale?: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Like `diagnoseTarget`, keeping each run's series: `target` is a file or directory when one exists there, else a
 * stored run.
 */
export async function diagnoseForChart(target: string, openStore: () => Promise<RunStore>, opts: DiagnoseOptions = {}): Promise<ChartedRun[]> {
  if (existsSync(target) && statSync(target).isFile()) return diagnoseFileForChart(target, opts);
  if (existsSync(target)) return diagnoseDirectoryForChart(target, opts);
  const store = await openStore();
  const run = await store.getRun(target);
  if (!run) {
    const candidates = await store.findRuns(target);
    if (candidates.length > 1) throw new RunNotFoundError(target, candidates);
    throw new IngestError({ file: target, reason: 'no such file, and no stored run with this id or name' });
  }
  return [{ verdict: diagnoseStored(run, opts), from: 'store', notes: run.notes, run }];
}

export function diagnoseFileForChart(file: string, opts: DiagnoseOptions = {}): ChartedRun[] {
  const size = statSync(file).size;
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (size > max) throw new IngestError({ file, reason: `is ${size} bytes, more than the ${max}-byte limit` });
  const logs = (opts.parser ?? defaultLogParser).parseFile(new Uint8Array(readFileSync(file)), file);
  if (logs.length === 0) throw new IngestError({ file, reason: 'no training run found: expected a log with a loss or metric series' });
  return diagnoseLogs(logs, path.basename(file), opts).map((d, i) => ({ ...d, run: logs[i]! }));
}

/** A directory (TensorBoard event files, an MLflow store, several logs): every run found in it. */
export function diagnoseDirectoryForChart(dir: string, opts: DiagnoseOptions = {}): ChartedRun[] {
  const root = path.basename(path.resolve(dir));
  const logs = (opts.parser ?? defaultLogParser).parseEntries(readTree(dir, opts.maxBytes ?? DEFAULT_MAX_BYTES), root);
  if (logs.length === 0) throw new IngestError({ file: dir, reason: 'no training run found in this directory' });
  return diagnoseLogs(logs, root, opts).map((d, i) => ({ ...d, run: logs[i]! }));
}

/**
 * Where the charts of `count` runs go when the user named one file: that file for a single run, else
 * `name-1.png`, `name-2.png` … beside it (a Keras CSV with appended runs holds several).
 */
export function chartPaths(out: string, count: number): string[] {
  if (count === 1) return [out];
  const ext = path.extname(out) || '.png';
  const base = out.slice(0, out.length - path.extname(out).length);
  return Array.from({ length: count }, (_, i) => `${base}-${i + 1}${ext}`);
}

/** Renders and writes one PNG; creates the directory. Returns the number of bytes written. */
export function writeRunChart(file: string, run: ChartRun, verdict: Verdict | null, opts: ChartFileOptions = {}): number {
  const { png } = renderRunChart(run, verdict, { theme: opts.theme, scale: opts.scale });
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, png);
  return png.byteLength;
}

/** Writes the chart of every run to `chartPaths(out, runs.length)`; returns the paths written. */
export function writeRunCharts(runs: ChartedRun[], out: string, opts: ChartFileOptions = {}): string[] {
  const paths = chartPaths(out, runs.length);
  runs.forEach((r, i) => writeRunChart(paths[i]!, r.run, r.verdict, opts));
  return paths;
}
