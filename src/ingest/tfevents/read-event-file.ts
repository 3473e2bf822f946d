import { IngestError } from '../ingest-error.ts';
import { grownTo } from '../column-buffer.ts';
import { EventDecoder, MalformedProtobuf, type DecodedValue } from './event-decoder.ts';
import { decodeHparams, type HparamValue } from './hparams.ts';
import { readTfRecords } from './tfrecord-reader.ts';
import { tensorScalar } from './tensor-scalar.ts';

/**
 * The points of one scalar tag in one file, in file order, in growable typed columns (a million points should not
 * live in JS arrays). Steps are global steps, wall times seconds since the Unix epoch. After readEventFile returns,
 * each column is exactly `length` long.
 */
export class TagColumn {
  length = 0;
  steps: Float64Array;
  wallTimes: Float64Array;
  values: Float64Array;

  constructor(
    readonly tag: string,
    capacity = 16,
  ) {
    this.steps = new Float64Array(capacity);
    this.wallTimes = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  push(step: number, wallTime: number, value: number): void {
    if (this.length === this.steps.length) this.grow();
    this.steps[this.length] = step;
    this.wallTimes[this.length] = wallTime;
    this.values[this.length] = value;
    this.length++;
  }

  private grow(): void {
    const cap = this.steps.length * 2;
    this.steps = grownTo(this.steps, cap);
    this.wallTimes = grownTo(this.wallTimes, cap);
    this.values = grownTo(this.values, cap);
  }

  /** Drops the points at `step` or later (orphaned by a restart); returns how many. */
  dropFrom(step: number): number {
    let k = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.steps[i] >= step) continue;
      this.steps[k] = this.steps[i];
      this.wallTimes[k] = this.wallTimes[i];
      this.values[k++] = this.values[i];
    }
    const dropped = this.length - k;
    this.length = k;
    return dropped;
  }

  /** Views of exactly `length` points (no copy). */
  trim(): void {
    this.steps = this.steps.subarray(0, this.length);
    this.wallTimes = this.wallTimes.subarray(0, this.length);
    this.values = this.values.subarray(0, this.length);
  }
}

/** Everything runmedic takes from one event file. */
export interface EventFile {
  file: string;
  bytes: number;
  /** "brain.Event:2", or null when the file has no file_version event. */
  fileVersion: string | null;
  /** SourceMetadata.writer of the first event carrying one, or null. */
  writer: string | null;
  /** Wall time of the first event (seconds), NaN for a file without events; orders the files of a restarted run. */
  firstWallTime: number;
  events: number;
  /** Scalar tags in order of first appearance. */
  scalars: Map<string, TagColumn>;
  /** Hyperparameters from hparams-plugin summaries (Lightning, PyTorch add_hparams), or null when there are none. */
  hparams: Record<string, HparamValue> | null;
  /** What was not a scalar, by kind ("histograms", "images", "graphs"…) → count. */
  skipped: Map<string, number>;
  badPayloadCrcOffsets: number[];
  /** Offsets of records with a good CRC whose payload is not an Event. */
  undecodableOffsets: number[];
  truncatedAt: number | null;
  /** SessionLog START events after which earlier points from that step on were orphaned and dropped. */
  sessionRestarts: Array<{ step: number; dropped: number }>;
}

const PLUGIN_KINDS: Record<string, string> = {
  histograms: 'histograms',
  images: 'images',
  audio: 'audio',
  text: 'text summaries',
  hparams: 'hyperparameter summaries',
  pr_curves: 'PR curves',
  graph_keras_model: 'graphs',
  graph_run_metadata: 'run metadata',
  graph_run_metadata_graph: 'run metadata',
  mesh: 'meshes',
  custom_scalars: 'custom scalar layouts',
  projector: 'projector data',
};
const DATA_CLASS_SCALAR = 1;
const SESSION_START = 1;
/** A stated limit: a training log has tens or hundreds of scalar tags; a file with more is not one runmedic can chart. */
export const MAX_SCALAR_TAGS = 10_000;

function count(map: Map<string, number>, kind: string): void {
  map.set(kind, (map.get(kind) ?? 0) + 1);
}

/**
 * Reads one event file: every scalar (simple_value, or a one-number tensor of the `scalars` plugin / scalar data class),
 * and a count of everything else. Pure; throws only the IngestError of readTfRecords (bad length CRC).
 */
export function readEventFile(bytes: Uint8Array, file: string): EventFile {
  const out: EventFile = {
    file,
    bytes: bytes.length,
    fileVersion: null,
    writer: null,
    firstWallTime: NaN,
    events: 0,
    scalars: new Map(),
    hparams: null,
    skipped: new Map(),
    badPayloadCrcOffsets: [],
    undecodableOffsets: [],
    truncatedAt: null,
    sessionRestarts: [],
  };
  const decoder = new EventDecoder(bytes);
  // Writers put the plugin name only on the first value of a tag in a file; later values of the tag rely on it.
  const pluginByTag = new Map<string, string>();
  const dataClassByTag = new Map<string, number>();
  let lastTag = '';
  let lastColumn: TagColumn | null = null;
  let recordOffset = 0;

  const addScalar = (tag: string, step: number, wallTime: number, value: number): void => {
    let col = tag === lastTag ? lastColumn : out.scalars.get(tag);
    if (!col) {
      if (out.scalars.size >= MAX_SCALAR_TAGS) {
        throw new IngestError({ file, reason: `more than ${MAX_SCALAR_TAGS} distinct scalar tags (the next one, in the record at byte ${recordOffset}): not a training log runmedic can read` });
      }
      col = new TagColumn(tag);
      out.scalars.set(tag, col);
    }
    lastTag = tag;
    lastColumn = col;
    col.push(step, wallTime, value);
  };

  const onValue = (v: DecodedValue, step: number, wallTime: number): void => {
    const tag = v.tag || v.nodeName;
    if (v.pluginName === 'hparams' && v.pluginContent) {
      try {
        const h = decodeHparams(v.pluginContent);
        if (h) out.hparams = { ...(out.hparams ?? {}), ...h };
      } catch (e) {
        if (!(e instanceof MalformedProtobuf)) throw e;
        count(out.skipped, 'unreadable hyperparameter summaries');
      }
      return;
    }
    if (v.kind === 'simple_value') {
      addScalar(tag, step, wallTime, v.simpleValue);
      return;
    }
    if (v.kind === 'tensor' && v.tensor) {
      if (v.pluginName) pluginByTag.set(tag, v.pluginName);
      if (v.dataClass) dataClassByTag.set(tag, v.dataClass);
      const plugin = v.pluginName || pluginByTag.get(tag) || '';
      if (plugin === 'scalars' || (plugin === '' && (v.dataClass || dataClassByTag.get(tag)) === DATA_CLASS_SCALAR)) {
        const x = tensorScalar(v.tensor);
        if (x === undefined) count(out.skipped, 'scalar-plugin tensors that are not one number');
        else addScalar(tag, step, wallTime, x);
        return;
      }
      count(out.skipped, PLUGIN_KINDS[plugin] ?? (plugin ? `${plugin} tensors` : 'tensors without a plugin'));
      return;
    }
    if (v.kind === 'histo' || v.kind === 'obsolete_old_style_histogram') count(out.skipped, 'histograms');
    else if (v.kind === 'image') count(out.skipped, 'images');
    else if (v.kind === 'audio') count(out.skipped, 'audio');
    else if (v.pluginName) count(out.skipped, PLUGIN_KINDS[v.pluginName] ?? `${v.pluginName} summaries`);
    else count(out.skipped, 'empty summary values');
  };

  const stats = readTfRecords(bytes, file, (start, end, offset) => {
    recordOffset = offset;
    let ev;
    try {
      ev = decoder.decodeEvent(start, end);
    } catch (e) {
      if (e instanceof MalformedProtobuf) {
        out.undecodableOffsets.push(offset);
        return;
      }
      throw e;
    }
    out.events++;
    if (out.events === 1) out.firstWallTime = ev.wallTime;
    if (ev.sourceWriter && out.writer === null) out.writer = ev.sourceWriter;
    switch (ev.kind) {
      case 'summary':
        for (const v of ev.values) onValue(v, ev.step, ev.wallTime);
        break;
      case 'file_version':
        if (out.fileVersion === null) out.fileVersion = ev.fileVersion;
        break;
      case 'graph_def':
        count(out.skipped, 'graphs');
        break;
      case 'meta_graph_def':
        count(out.skipped, 'meta graphs');
        break;
      case 'tagged_run_metadata':
        count(out.skipped, 'run metadata');
        break;
      case 'log_message':
        count(out.skipped, 'log messages');
        break;
      case 'session_log':
        // TF1's Supervisor/MonitoredSession restarting from a checkpoint writes START at the checkpoint's step;
        // what was logged from that step on belongs to the lost attempt (TensorBoard purges it the same way).
        if (ev.sessionStatus === SESSION_START && out.scalars.size > 0) {
          let dropped = 0;
          for (const col of out.scalars.values()) dropped += col.dropFrom(ev.step);
          if (dropped > 0) out.sessionRestarts.push({ step: ev.step, dropped });
        }
        break;
      case 'none':
        break;
    }
  });
  for (const col of out.scalars.values()) col.trim();
  out.badPayloadCrcOffsets = stats.badPayloadCrcOffsets;
  out.truncatedAt = stats.truncatedAt;
  return out;
}
