import type { Cadence, RunLog, Series } from '../../domain/run.ts';
import type { FileEntry } from '../entries.ts';
import { IngestError } from '../ingest-error.ts';
import { normaliseMetricName } from '../metric-names.ts';
import { SeriesBuilder } from '../series-builder.ts';
import { alignEpochAxis } from './epoch-axis.ts';
import type { HparamValue } from './hparams.ts';
import { readEventFile, type EventFile, type TagColumn } from './read-event-file.ts';

/**
 * Event files of a directory tree → runs, laid out the way the writers mean them:
 * - Keras' TensorBoard callback writes `<run>/train/` and `<run>/validation/` with the same tags (`epoch_loss`):
 *   the folder is the split, so both become one run.
 * - PyTorch's `add_scalars('loss', {'training': …, 'validation': …})` writes `<run>/loss_training/` and
 *   `<run>/loss_validation/` (tensorboardX: `<run>/loss/training/`), each with the bare tag `loss`: the folder
 *   names the series, and they join `<run>`.
 * - Every other folder holding event files (`runs/<name>/`, Lightning's `version_N/`) is a run of its own.
 * - Several files of one run (a restarted writer) are merged in wall-time order.
 */

/** Folder names that carry a split rather than a run. */
const SPLIT_DIRS: Record<string, 'train' | 'val' | 'test'> = {
  train: 'train',
  training: 'train',
  validation: 'val',
  val: 'val',
  valid: 'val',
  eval: 'val',
  evaluation: 'val',
  test: 'test',
};
const KERAS_TAG = /^(epoch|batch|evaluation)_/;

interface LoadedFile {
  path: string;
  dir: string;
  base: string;
  data: EventFile;
}

/** How the tags of one file become series names. */
type Role =
  | { kind: 'plain' }
  | { kind: 'split'; folder: string; split: 'train' | 'val' | 'test' }
  | { kind: 'add_scalars'; folder: string }
  /** PyTorch's add_hparams: `<run>/<unix time>/` holding the hyperparameters and their final metrics. */
  | { kind: 'hparams'; folder: string };

interface Chunk {
  steps: Float64Array;
  wallTimes: Float64Array;
  values: Float64Array;
}

interface Stream {
  /** What normaliseMetricName sees; chosen so that key and split come out right. */
  rawName: string;
  /** What the user sees (the tag, or `validation/epoch_loss`, or `loss_training`). */
  displayName: string;
  tag: string;
  role: Role;
  /** One chunk per file, in wall-time order of the files. */
  chunks: Chunk[];
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}
function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * Parses the event files among `entries` (paths relative to the ingested root, '/'-separated) into runs.
 * `rootName` names the run found at the root itself. The caller passes the entries that isTfeventsFile accepted.
 * Throws IngestError for a broken file (bad length CRC) or when no file holds a single scalar.
 */
export function parseTfeventsTree(entries: FileEntry[], rootName: string, opts: { fileName?: string } = {}): RunLog[] {
  // Messages name a file as the user can find it: the path they gave for a lone file (`fileName`), else the file
  // inside the directory or archive they gave (`rootName/…`, as every other reader names members).
  const shown = (path: string) => (entries.length === 1 && opts.fileName ? opts.fileName : rootName && path ? `${rootName}/${path}` : path || rootName);
  const files: LoadedFile[] = entries.map((e) => {
    const path = e.path.replace(/^\.?\/+/, '');
    return { path, dir: dirname(path), base: basename(path), data: readEventFile(e.bytes, shown(path)) };
  });
  const dirs = new Map<string, LoadedFile[]>();
  for (const f of files) {
    const list = dirs.get(f.dir);
    if (list) list.push(f);
    else dirs.set(f.dir, [f]);
  }

  // Which run each folder belongs to, and in what role.
  const runs = new Map<string, Array<{ file: LoadedFile; role: Role }>>();
  const addToRun = (runDir: string, file: LoadedFile, role: Role): void => {
    const list = runs.get(runDir);
    if (list) list.push({ file, role });
    else runs.set(runDir, [{ file, role }]);
  };
  for (const [dir, list] of dirs) {
    const { runDir, role } = roleOfFolder(dir, list, dirs);
    for (const f of list) addToRun(runDir, f, role);
  }

  const out: RunLog[] = [];
  const empty: string[] = [];
  for (const [runDir, members] of [...runs].sort((a, b) => a[0].localeCompare(b[0]))) {
    const name = runDir === '' ? rootName || 'tfevents' : `${rootName ? `${rootName}/` : ''}${runDir}`;
    const log = buildRun(name, members);
    if (log.series.length === 0) empty.push(`${runDir || rootName} (${describeSkipped(members.map((m) => m.file.data)) || 'no summaries'})`);
    else out.push(log);
  }
  if (out.length === 0) {
    throw new IngestError({
      file: files.length === 1 ? files[0].data.file : rootName,
      reason: `no scalar summaries in ${files.length} event file${files.length === 1 ? '' : 's'}: ${empty.join('; ')}`,
    });
  }
  if (empty.length > 0) for (const log of out) log.notes.push(`event files without scalars, not made into runs: ${empty.join('; ')}`);
  return out;
}

function roleOfFolder(dir: string, list: LoadedFile[], dirs: Map<string, LoadedFile[]>): { runDir: string; role: Role } {
  if (dir === '') return { runDir: '', role: { kind: 'plain' } };
  const folder = basename(dir);
  const parent = dirname(dir);
  const tags = list.flatMap((f) => [...f.data.scalars.keys()]);
  if (/^\d+(\.\d+)?$/.test(folder) && list.some((f) => f.data.hparams !== null)) {
    return { runDir: parent, role: { kind: 'hparams', folder } };
  }
  // tensorboardX's add_scalars(main_tag, {key: …}) writes folder `<run>/<main_tag>/<key>` holding the tag `<main_tag>`.
  const distinct = new Set(tags);
  if (distinct.size === 1) {
    const [tag] = distinct;
    const tail = `${tag}/${folder}`;
    if (dir === tail || dir.endsWith(`/${tail}`)) {
      return { runDir: dir.slice(0, Math.max(0, dir.length - tail.length - 1)), role: { kind: 'add_scalars', folder: tail } };
    }
  }
  const split = SPLIT_DIRS[folder.toLowerCase()];
  if (split) {
    // `runs/test/` may just be a run someone called "test": a split only beside another split, beside the
    // parent's own event files (tf.estimator's eval/), or with Keras' tag names.
    const siblingSplit = [...dirs.keys()].some((d) => d !== dir && dirname(d) === parent && SPLIT_DIRS[basename(d).toLowerCase()] !== undefined);
    if (siblingSplit || dirs.has(parent) || tags.some((t) => KERAS_TAG.test(t))) {
      return { runDir: parent, role: { kind: 'split', folder, split } };
    }
  }
  // PyTorch's add_scalars(main_tag, {key: …}) writes folder `<run>/<main_tag with / → _>_<key>` holding the tag `<main_tag>`.
  if (tags.length > 0 && tags.every((t) => folder.startsWith(`${t.replace(/\//g, '_')}_`) && folder.length > t.length + 1)) {
    return { runDir: parent, role: { kind: 'add_scalars', folder } };
  }
  return { runDir: dir, role: { kind: 'plain' } };
}

/** Names for one tag under a role: what to normalise and what to show. */
function namesFor(tag: string, role: Role): { rawName: string; displayName: string } {
  if (role.kind === 'add_scalars') return { rawName: role.folder, displayName: role.folder };
  if (role.kind === 'split') {
    const displayName = `${role.folder}/${tag}`;
    // A tag that names its own split keeps it; otherwise the folder's split is spliced in where
    // normaliseMetricName looks for it ("epoch_loss" in validation/ → "epoch_val_loss" → loss, val).
    if (normaliseMetricName(tag).split !== 'train' || /^(train|training)[_\-/.]/i.test(tag)) return { rawName: tag, displayName };
    const prefix = role.split === 'val' ? 'val_' : role.split === 'test' ? 'test_' : 'train_';
    const m = /^epoch_/.exec(tag);
    return { rawName: m ? `${m[0]}${prefix}${tag.slice(m[0].length)}` : `${prefix}${tag}`, displayName };
  }
  // TF1 name scopes repeat the name: "cost/cost", "accuracy/accuracy".
  const scoped = /^([^/]+)\/\1$/.exec(tag);
  return { rawName: scoped ? scoped[1] : tag, displayName: tag };
}

function cadenceOf(tag: string): Cadence {
  return /^epoch[_/]|[_/]epoch$/i.test(tag) ? 'epoch' : 'step';
}

function buildRun(name: string, members: Array<{ file: LoadedFile; role: Role }>): RunLog {
  const notes: string[] = [];
  // Restarts: a later writer's file continues (or replaces part of) the earlier ones.
  const ordered = [...members].sort((a, b) => {
    const ta = a.file.data.firstWallTime;
    const tb = b.file.data.firstWallTime;
    if (Number.isNaN(ta) !== Number.isNaN(tb)) return Number.isNaN(ta) ? 1 : -1;
    return ta - tb || a.file.path.localeCompare(b.file.path);
  });

  const streams = new Map<string, Stream>();
  const purged = new Map<string, { count: number; atStep: number }>();
  let hparams: Record<string, HparamValue> | null = null;
  const hparamMetrics: Record<string, number> = {};
  for (const { file, role } of ordered) {
    if (file.data.hparams) hparams = { ...(hparams ?? {}), ...file.data.hparams };
    if (role.kind === 'hparams') {
      // The metrics passed to add_hparams are final figures of the run, not a curve.
      for (const col of file.data.scalars.values()) if (col.length) hparamMetrics[col.tag] = col.values[col.length - 1];
      continue;
    }
    for (const col of file.data.scalars.values()) {
      const { rawName, displayName } = namesFor(col.tag, role);
      let s = streams.get(displayName);
      if (!s) {
        s = { rawName, displayName, tag: col.tag, role, chunks: [] };
        streams.set(displayName, s);
      }
      appendWithRestart(s, col, purged);
    }
  }
  for (const [display, p] of purged) {
    notes.push(`${display}: a later event file restarts at step ${p.atStep}; ${p.count} earlier points from step ${p.atStep} on were replaced, as TensorBoard does`);
  }

  // Lightning logs the epoch as a scalar of its own: it is the epoch axis of every other series, not a metric.
  const epochStream = [...streams.values()].find((s) => s.role.kind === 'plain' && s.tag === 'epoch');
  const epochAt = epochStream ? epochLookup(epochStream) : null;
  if (epochStream) {
    streams.delete(epochStream.displayName);
    notes.push(`the 'epoch' scalar (${concatChunks(epochStream.chunks).values.length} points) is used as the epoch of each step, not as a series`);
  }

  const builder = new SeriesBuilder();
  const displayByRaw = new Map<string, string>();
  const duplicates: string[] = [];
  for (const s of streams.values()) {
    // Keras logs each validation metric twice: epoch_X per epoch and evaluation_X_vs_iterations per optimiser step.
    const dup = /^evaluation_(.+)_vs_iterations$/.exec(s.tag);
    if (dup && [...streams.values()].some((o) => o.tag === `epoch_${dup[1]}` && o.role.kind === s.role.kind && folderOf(o.role) === folderOf(s.role))) {
      duplicates.push(s.displayName);
      continue;
    }
    const { steps, wallTimes, values } = concatChunks(s.chunks);
    if (s.tag === 'hp_metric' && values.every((v) => v === -1)) {
      notes.push(`hp_metric: Lightning's placeholder value (-1), skipped`);
      continue;
    }
    if (!displayByRaw.has(s.rawName)) displayByRaw.set(s.rawName, s.displayName);
    let epochs: Float64Array | null = null;
    if (epochAt) epochs = steps.map(epochAt);
    else if (/^epoch_/.test(s.tag)) epochs = steps.slice();
    builder.addColumn(s.rawName, steps, values, epochs, wallTimes, cadenceOf(s.tag));
  }
  if (duplicates.length) {
    notes.push(`${duplicates.join(', ')}: the same values as the matching epoch_* tags on an iteration axis, not read twice`);
  }
  const series: Series[] = builder.build('step', notes);
  for (const s of series) s.name = displayByRaw.get(s.name) ?? s.name;
  if (!epochAt) notes.push(...alignEpochAxis(series));

  const datas = ordered.map((m) => m.file.data);
  for (const d of datas) {
    if (d.truncatedAt !== null) {
      notes.push(`${d.file}: the last record (from byte ${d.truncatedAt} of ${d.bytes}) is incomplete, as when the writer is still running or was killed; read the ${d.events} events before it`);
    }
    for (const r of d.sessionRestarts) {
      notes.push(`${d.file}: a restart (SessionLog START) at step ${r.step}; ${r.dropped} earlier points from step ${r.step} on were replaced, as TensorBoard does`);
    }
    if (d.badPayloadCrcOffsets.length > 0) {
      notes.push(`${d.file}: ${d.badPayloadCrcOffsets.length} record(s) with a bad payload CRC skipped (first at byte ${d.badPayloadCrcOffsets[0]})`);
    }
    if (d.undecodableOffsets.length > 0) {
      notes.push(`${d.file}: ${d.undecodableOffsets.length} record(s) that are not TensorBoard events skipped (first at byte ${d.undecodableOffsets[0]})`);
    }
  }
  const skipped = describeSkipped(datas);
  if (skipped) notes.push(`not scalars, skipped: ${skipped}`);
  const perFolder = new Map<string, number>();
  for (const m of ordered) perFolder.set(m.file.dir, (perFolder.get(m.file.dir) ?? 0) + 1);
  for (const [dir, n] of perFolder) {
    if (n > 1) notes.push(`${n} event files${dir ? ` in ${dir}/` : ''} (a restarted writer) merged in wall-time order`);
  }

  if (hparams) {
    const shown = Object.entries(hparams).filter(([, v]) => typeof v !== 'string' || v.length <= 40);
    notes.push(`hyperparameters found (${Object.keys(hparams).length}): ${shown.slice(0, 12).map(([k, v]) => `${k}=${String(v)}`).join(', ')}${shown.length > 12 ? ', …' : ''}`);
  }
  if (Object.keys(hparamMetrics).length) {
    notes.push(`add_hparams metrics (final figures, not series): ${Object.entries(hparamMetrics).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }

  const writer = datas.map((d) => d.writer).find((w) => w !== null) ?? null;
  const fileVersion = datas.map((d) => d.fileVersion).find((v) => v !== null) ?? null;
  return {
    name,
    format: 'tfevents',
    series,
    notes,
    meta: {
      files: ordered.map((m) => m.file.path),
      events: datas.reduce((n, d) => n + d.events, 0),
      ...(fileVersion ? { fileVersion } : {}),
      ...(writer ? { writer } : {}),
      ...(hparams ? { hparams } : {}),
      ...(Object.keys(hparamMetrics).length ? { hparamMetrics } : {}),
    },
  };
}

function folderOf(role: Role): string {
  return role.kind === 'plain' ? '' : role.folder;
}

/**
 * Appends one file's points of a tag. When they start at or before a step the earlier files already reached,
 * the writer was restarted from a checkpoint: earlier points from that step on are dropped, as TensorBoard does.
 */
function appendWithRestart(s: Stream, col: TagColumn, purged: Map<string, { count: number; atStep: number }>): void {
  if (s.chunks.length > 0 && col.length > 0) {
    const first = col.steps[0];
    const before = concatChunks(s.chunks);
    let keep = 0;
    for (let i = 0; i < before.steps.length; i++) if (before.steps[i] < first) keep++;
    if (keep < before.steps.length) {
      const kept: Chunk = { steps: new Float64Array(keep), wallTimes: new Float64Array(keep), values: new Float64Array(keep) };
      for (let i = 0, k = 0; i < before.steps.length; i++) {
        if (before.steps[i] >= first) continue;
        kept.steps[k] = before.steps[i];
        kept.wallTimes[k] = before.wallTimes[i];
        kept.values[k++] = before.values[i];
      }
      const prev = purged.get(s.displayName);
      purged.set(s.displayName, { count: (prev?.count ?? 0) + before.steps.length - keep, atStep: first });
      s.chunks = [kept];
    }
  }
  s.chunks.push({ steps: col.steps, wallTimes: col.wallTimes, values: col.values });
}

function concatChunks(chunks: Chunk[]): Chunk {
  if (chunks.length === 1) return chunks[0];
  const n = chunks.reduce((a, c) => a + c.values.length, 0);
  const out: Chunk = { steps: new Float64Array(n), wallTimes: new Float64Array(n), values: new Float64Array(n) };
  let at = 0;
  for (const c of chunks) {
    out.steps.set(c.steps, at);
    out.wallTimes.set(c.wallTimes, at);
    out.values.set(c.values, at);
    at += c.values.length;
  }
  return out;
}

/** step → the epoch logged at that step, or at the closest earlier step; NaN before the first. */
function epochLookup(s: Stream): (step: number) => number {
  const all = concatChunks(s.chunks);
  const order = Array.from(all.steps, (_, i) => i).sort((a, b) => all.steps[a] - all.steps[b] || a - b);
  const steps = order.map((i) => all.steps[i]);
  const epochs = order.map((i) => all.values[i]);
  return (step: number): number => {
    let lo = 0;
    let hi = steps.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (steps[mid] <= step) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? NaN : epochs[found];
  };
}

function describeSkipped(datas: EventFile[]): string {
  const total = new Map<string, number>();
  for (const d of datas) for (const [k, n] of d.skipped) total.set(k, (total.get(k) ?? 0) + n);
  return [...total].map(([k, n]) => `${k}: ${n}`).join(', ');
}
