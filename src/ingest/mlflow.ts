import type { Cadence, RunLog } from '../domain/run.ts';
import type { FileEntry } from './entries.ts';
import { IngestError } from './ingest-error.ts';
import { normaliseMetricName } from './metric-names.ts';
import { parseMetricText } from './metric-value.ts';
import { SeriesBuilder } from './series-builder.ts';

/**
 * MLflow's file store, as `mlflow.log_metric` leaves it on disk:
 *
 *   mlruns/<experiment_id>/meta.yaml                 name: <experiment name>
 *   mlruns/<experiment_id>/<run_id>/meta.yaml        run_name, status, lifecycle_stage, start_time…
 *   mlruns/<experiment_id>/<run_id>/metrics/<key>    one line per logged value: "<timestamp ms> <value> <step>"
 *   mlruns/<experiment_id>/<run_id>/params/<key>     the value as the whole file
 *   mlruns/<experiment_id>/<run_id>/tags/<key>       idem; tags/mlflow.runName holds the display name
 *
 * Keys may contain '/', which the store turns into sub-directories. Very old stores write "<timestamp> <value>"
 * without a step. A run directory is one with a metrics/ folder next to a meta.yaml, params/ or tags/.
 */

const RUN_STATUS: Record<string, string> = { '1': 'RUNNING', '2': 'SCHEDULED', '3': 'FINISHED', '4': 'FAILED', '5': 'KILLED' };
/** MLflow's own system metrics (CPU, GPU, memory): machine health, not training curves. */
const SYSTEM_METRIC_PREFIX = 'system/';
/** Tags that are long machine-written blobs; kept out of meta. */
const BULKY_TAGS = new Set(['mlflow.log-model.history', 'mlflow.source.git.diff']);

interface RunDir {
  /** '/'-joined path of the run directory inside the entries ('' when the entries are the run itself). */
  dir: string;
  metrics: Map<string, FileEntry>;
  params: Map<string, FileEntry>;
  tags: Map<string, FileEntry>;
  meta?: FileEntry;
}

/** True when the entries hold at least one MLflow run directory with metrics. */
export function isMlflowTree(entries: FileEntry[]): boolean {
  return findRunDirs(entries).some((r) => r.metrics.size > 0);
}

/**
 * One RunLog per run directory that logged metrics. `rootName` (the directory or archive that was ingested) prefixes
 * file names in messages. A malformed metric line is an IngestError naming the file and the line.
 */
export function parseMlflowTree(entries: FileEntry[], rootName: string): RunLog[] {
  const runs = findRunDirs(entries);
  const experimentNames = readExperimentNames(entries, rootName);
  const out: RunLog[] = [];
  let deleted = 0;
  let systemOnly = 0;
  for (const run of runs.sort((a, b) => a.dir.localeCompare(b.dir))) {
    if (run.metrics.size === 0) continue;
    const runMeta = run.meta ? readSimpleYaml(decode(run.meta, rootName)) : {};
    if (runMeta.lifecycle_stage === 'deleted') {
      deleted++;
      continue;
    }
    const log = parseRun(run, runMeta, experimentNames, rootName);
    if (log.series.length > 0) out.push(log);
    else systemOnly++;
  }
  if (out.length === 0) {
    throw new IngestError({
      file: rootName,
      reason:
        deleted > 0 && systemOnly === 0
          ? `all ${deleted} MLflow runs with metrics are deleted (lifecycle_stage: deleted)`
          : systemOnly > 0
            ? `no MLflow run with training metrics: ${systemOnly} run(s) logged only system metrics (system/…) or the epoch`
            : 'no MLflow run with metrics: expected <run>/metrics/<key> files',
    });
  }
  return out;
}

function findRunDirs(entries: FileEntry[]): RunDir[] {
  const runs = new Map<string, RunDir>();
  const get = (dir: string): RunDir => {
    let r = runs.get(dir);
    if (!r) {
      r = { dir, metrics: new Map(), params: new Map(), tags: new Map() };
      runs.set(dir, r);
    }
    return r;
  };
  for (const entry of entries) {
    const segs = cleanPath(entry.path);
    if (segs === null) continue;
    // The first of metrics/params/tags decides, so a metric key like "metrics/x" cannot be mistaken for a run.
    const k = segs.findIndex((s) => s === 'metrics' || s === 'params' || s === 'tags');
    // metrics/ folders inside artifacts are a model's files, not the store's.
    if (k >= 0 && k < segs.length - 1 && !segs.slice(0, k).includes('artifacts')) {
      const run = get(segs.slice(0, k).join('/'));
      const kind = segs[k] as 'metrics' | 'params' | 'tags';
      run[kind].set(segs.slice(k + 1).join('/'), entry);
    }
    if (segs[segs.length - 1] === 'meta.yaml') {
      const dir = segs.slice(0, -1).join('/');
      get(dir).meta = entry;
    }
  }
  // A run is a directory with metrics and some other sign of MLflow; an experiment dir has only meta.yaml.
  return [...runs.values()].filter((r) => r.metrics.size > 0 && (r.meta !== undefined || r.params.size > 0 || r.tags.size > 0));
}

/** Path segments, or null for entries to ignore (deleted experiments in .trash, macOS archive litter). */
function cleanPath(path: string): string[] | null {
  const segs = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segs.some((s) => s === '.trash' || s === '__MACOSX' || s.startsWith('._'))) return null;
  return segs;
}

function readExperimentNames(entries: FileEntry[], rootName: string): Map<string, string> {
  // An experiment's meta.yaml sits one level above its runs; the names are looked up by directory.
  const names = new Map<string, string>();
  for (const entry of entries) {
    const segs = cleanPath(entry.path);
    if (!segs || segs[segs.length - 1] !== 'meta.yaml') continue;
    const yaml = readSimpleYaml(decode(entry, rootName));
    if (typeof yaml.name === 'string' && yaml.experiment_id !== undefined && yaml.run_id === undefined) {
      names.set(segs.slice(0, -1).join('/'), yaml.name);
    }
  }
  return names;
}

function parseRun(run: RunDir, runMeta: Record<string, string>, experimentNames: Map<string, string>, rootName: string): RunLog {
  const notes: string[] = [];
  const runId = runMeta.run_id ?? runMeta.run_uuid ?? lastSegment(run.dir) ?? 'run';
  const params: Record<string, string> = {};
  for (const [key, entry] of run.params) params[key] = decode(entry, rootName).replace(/\r?\n$/, '');
  const tags: Record<string, string> = {};
  for (const [key, entry] of run.tags) if (!BULKY_TAGS.has(key)) tags[key] = decode(entry, rootName).replace(/\r?\n$/, '');
  const name = tags['mlflow.runName']?.trim() || runMeta.run_name || runId;

  const parsed = new Map<string, MetricLine[]>();
  let system = 0;
  for (const [key, entry] of [...run.metrics].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (key.startsWith(SYSTEM_METRIC_PREFIX)) {
      system++;
      continue;
    }
    parsed.set(key, readMetricFile(key, entry, rootName, notes));
  }
  if (system > 0) notes.push(`${system} MLflow system metrics (system/…) skipped: machine health, not training curves`);

  // Lightning's MLFlowLogger logs the epoch as a metric against the global step: use it to date the others.
  const epochLines = parsed.get('epoch');
  const epochAtStep = new Map<number, number>();
  if (epochLines) {
    for (const l of epochLines) if (Number.isFinite(l.value)) epochAtStep.set(l.step, l.value);
    parsed.delete('epoch');
  }
  const cadence: Cadence = !epochLines && looksPerEpoch(parsed) ? 'epoch' : 'step';

  const builder = new SeriesBuilder();
  for (const [key, lines] of parsed) {
    for (const l of lines) builder.add(key, l.step, l.value, epochAtStep.get(l.step) ?? (cadence === 'epoch' ? l.step : NaN), l.timestamp / 1000);
  }
  const series = builder.build(cadence, notes);
  const meta: Record<string, unknown> = { framework: 'mlflow', runId, params, tags };
  const experimentId = runMeta.experiment_id;
  if (experimentId !== undefined) meta.experimentId = experimentId;
  const experimentName = experimentNames.get(parentDir(run.dir));
  if (experimentName !== undefined) meta.experimentName = experimentName;
  if (runMeta.status !== undefined) meta.status = RUN_STATUS[runMeta.status] ?? runMeta.status;
  if (runMeta.start_time !== undefined && runMeta.start_time !== 'null') meta.startTime = Number(runMeta.start_time);
  if (runMeta.end_time !== undefined && runMeta.end_time !== 'null') meta.endTime = Number(runMeta.end_time);
  return { name, format: 'mlflow', series, notes, meta };
}

interface MetricLine { timestamp: number; value: number; step: number }

function readMetricFile(key: string, entry: FileEntry, rootName: string, notes: string[]): MetricLine[] {
  const file = `${rootName}/${entry.path}`;
  const text = decode(entry, rootName);
  const out: MetricLine[] = [];
  let withoutStep = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    const bad = (what: string): IngestError =>
      new IngestError({ file, line: i + 1, reason: `${what}: expected "<timestamp ms> <value> [<step>]", found '${line.slice(0, 80)}'` });
    if (parts.length < 2 || parts.length > 3) throw bad(`${parts.length} field${parts.length === 1 ? '' : 's'}`);
    const timestamp = Number(parts[0]);
    if (!/^-?\d+$/.test(parts[0]!) || !Number.isSafeInteger(timestamp)) throw bad('the timestamp is not an integer');
    const value = parseMetricText(parts[1]!);
    if (value === undefined) throw bad('the value is not a number');
    let step: number;
    if (parts.length === 3) {
      if (!/^-?\d+$/.test(parts[2]!)) throw bad('the step is not an integer');
      step = Number(parts[2]);
    } else {
      step = out.length;
      withoutStep++;
    }
    out.push({ timestamp, value, step });
  }
  if (withoutStep > 0) notes.push(`${key}: ${withoutStep} lines without a step (old MLflow): numbered in file order`);
  // Values logged out of step order (threads, resumed runs) are put back in step order; timestamps break ties.
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.step < out[i - 1]!.step) {
      out.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
      break;
    }
  }
  return out;
}

/**
 * Keras autologging logs one value per epoch with the epoch as the step. Read a run as per-epoch when every metric
 * counts 0,1,2… (or 1,2,3…) without gaps and some validation metric is logged as often as its training twin.
 */
function looksPerEpoch(parsed: Map<string, MetricLine[]>): boolean {
  if (parsed.size === 0) return false;
  const lengthByKey = new Map<string, number>();
  for (const [key, lines] of parsed) {
    if (lines.length === 0) continue;
    const first = lines[0]!.step;
    if (first !== 0 && first !== 1) return false;
    for (let i = 0; i < lines.length; i++) if (lines[i]!.step !== first + i) return false;
    const m = normaliseMetricName(key);
    lengthByKey.set(`${m.split}:${m.key}`, lines.length);
  }
  for (const [k, n] of lengthByKey) {
    if (k.startsWith('val:') && lengthByKey.get(`train:${k.slice(4)}`) === n) return true;
  }
  return false;
}

/** Top-level `key: value` lines of MLflow's meta.yaml files (flat maps of scalars; nested blocks are skipped). */
function readSimpleYaml(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][\w.-]*):\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"'))) v = v.slice(1, -1);
    out[m[1]!] = v;
  }
  return out;
}

function decode(entry: FileEntry, rootName: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(entry.bytes);
  } catch {
    throw new IngestError({ file: `${rootName}/${entry.path}`, reason: 'invalid UTF-8: expected the text MLflow writes' });
  }
}

function lastSegment(dir: string): string | undefined {
  return dir.split('/').filter(Boolean).pop();
}

function parentDir(dir: string): string {
  return dir.split('/').slice(0, -1).join('/');
}
