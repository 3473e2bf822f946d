/**
 * A hand-written protobuf wire-format decoder for just the messages of an event file: Event, Summary, Summary.Value,
 * SummaryMetadata, TensorProto, TensorShapeProto (field numbers from ./proto/*.proto). It reads only what runmedic uses
 * and skips the rest by wire type; being specific keeps it several times faster than protobufjs' reflection, which
 * matters at 1 M events. The tests decode the same bytes with protobufjs and compare.
 */

/** Thrown on bytes that are not a well-formed protobuf message; callers turn it into a counted, skipped record. */
export class MalformedProtobuf extends Error {
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(`${reason} at byte ${offset}`);
    this.name = 'MalformedProtobuf';
  }
}

/** The `what` oneof of Event. */
export type EventKind =
  | 'none'
  | 'file_version'
  | 'graph_def'
  | 'summary'
  | 'log_message'
  | 'session_log'
  | 'tagged_run_metadata'
  | 'meta_graph_def';

/** The `value` oneof of Summary.Value. */
export type ValueKind = 'none' | 'simple_value' | 'obsolete_old_style_histogram' | 'image' | 'histo' | 'audio' | 'tensor';

export interface DecodedTensor {
  /** tensorboard.DataType: DT_FLOAT=1, DT_DOUBLE=2, DT_INT32=3, DT_INT64=9, DT_BOOL=10, DT_BFLOAT16=14, DT_HALF=19. */
  dtype: number;
  /** Sizes of the dimensions; [] for a scalar (rank 0). */
  dims: number[];
  /**
   * tensor_content (little-endian packed values) as a range of `source`, the bytes being decoded: no view is made per
   * tensor, a million of them would be garbage. contentLength is -1 when the values are in the *_val fields instead.
   * `tensorContent(t)` gives the bytes.
   */
  source: Uint8Array;
  contentStart: number;
  contentLength: number;
  floatVal: number[];
  doubleVal: number[];
  /** Raw 16-bit patterns of DT_HALF and DT_BFLOAT16 values. */
  halfVal: number[];
  intVal: number[];
  int64Val: number[];
  boolVal: boolean[];
}

export interface DecodedValue {
  tag: string;
  nodeName: string;
  /** SummaryMetadata.plugin_data.plugin_name; writers set it only on the first value of each tag in a file. */
  pluginName: string;
  /** SummaryMetadata.plugin_data.content (the hparams plugin keeps the hyperparameters here), a view; null when absent. */
  pluginContent: Uint8Array | null;
  /** SummaryMetadata.data_class: 1 scalar, 2 tensor, 3 blob sequence, 0 unknown. */
  dataClass: number;
  kind: ValueKind;
  simpleValue: number;
  tensor: DecodedTensor | null;
}

export interface DecodedEvent {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  step: number;
  kind: EventKind;
  fileVersion: string;
  values: DecodedValue[];
  /** SessionLog.status: 1 START, 2 STOP, 3 CHECKPOINT; 0 when absent. */
  sessionStatus: number;
  /** SourceMetadata.writer ("tensorboard.summary.writer.event_file_writer"), '' when absent. */
  sourceWriter: string;
}

const EVENT_KINDS: EventKind[] = [
  'none', 'none', 'none', 'file_version', 'graph_def', 'summary', 'log_message', 'session_log', 'tagged_run_metadata', 'meta_graph_def',
];

const TWO_32 = 4294967296;
const utf8 = new TextDecoder('utf-8');

function newValue(): DecodedValue {
  return { tag: '', nodeName: '', pluginName: '', pluginContent: null, dataClass: 0, kind: 'none', simpleValue: 0, tensor: null };
}
function newTensor(source: Uint8Array): DecodedTensor {
  return { dtype: 0, dims: [], source, contentStart: 0, contentLength: -1, floatVal: [], doubleVal: [], halfVal: [], intVal: [], int64Val: [], boolVal: [] };
}

/** The tensor_content bytes of a decoded tensor (a view), or null when it has none. */
export function tensorContent(t: DecodedTensor): Uint8Array | null {
  return t.contentLength < 0 ? null : t.source.subarray(t.contentStart, t.contentStart + t.contentLength);
}

/**
 * Decodes events from one file's bytes. Built for a million events a file: it allocates nothing per event
 * (the returned event and its values are reused, valid until the next call) and keeps a per-file cache of tag
 * strings, since a file repeats the same few tags and a lookup is cheaper than decoding UTF-8 into a new string.
 */
export class EventDecoder {
  private readonly view: DataView;
  private pos = 0;
  private readonly strings = new Map<number, Array<{ bytes: Uint8Array; text: string }>>();
  private cached = 0;
  private readonly ev: DecodedEvent = { wallTime: 0, step: 0, kind: 'none', fileVersion: '', values: [], sessionStatus: 0, sourceWriter: '' };
  private readonly valuePool: DecodedValue[] = [];
  private valueCount = 0;
  private readonly tensorPool: DecodedTensor[] = [];

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /**
   * Decodes the Event in bytes[start, end). Throws MalformedProtobuf on bytes that are not one.
   * The result is overwritten by the next call: copy what you keep.
   */
  decodeEvent(start: number, end: number): DecodedEvent {
    const ev = this.ev;
    ev.wallTime = 0;
    ev.step = 0;
    ev.kind = 'none';
    ev.fileVersion = '';
    this.valueCount = 0;
    ev.sessionStatus = 0;
    ev.sourceWriter = '';
    this.pos = start;
    while (this.pos < end) {
      const key = this.varint32(end);
      const field = key >>> 3;
      const wire = key & 7;
      if (field === 1 && wire === 1) {
        ev.wallTime = this.double(end);
      } else if (field === 2 && wire === 0) {
        ev.step = this.varint64(end);
      } else if (field >= 3 && field <= 9 && wire === 2) {
        const len = this.length(end);
        const s = this.pos;
        const e = s + len;
        ev.kind = EVENT_KINDS[field];
        // A oneof: a later member replaces an earlier one.
        ev.fileVersion = '';
        this.valueCount = 0;
        ev.sessionStatus = 0;
        if (field === 3) ev.fileVersion = this.string(s, e);
        else if (field === 5) this.summary(e, ev.values);
        else if (field === 7) ev.sessionStatus = this.sessionLog(e);
        this.pos = e;
      } else if (field === 10 && wire === 2) {
        const e = this.length(end) + this.pos;
        ev.sourceWriter = this.sourceMetadata(e);
        this.pos = e;
      } else {
        this.skip(wire, end);
      }
    }
    if (this.pos !== end) throw new MalformedProtobuf(end, 'field runs past the end of the Event');
    // Truncating an array is a runtime call; only pay it when this event has fewer values than the last one.
    if (ev.values.length !== this.valueCount) ev.values.length = this.valueCount;
    return ev;
  }

  private summary(end: number, out: DecodedValue[]): void {
    while (this.pos < end) {
      const key = this.varint32(end);
      if (key === ((1 << 3) | 2)) {
        const e = this.length(end) + this.pos;
        const slot = this.valueCount++;
        out[slot] = this.value(e, slot);
        this.pos = e;
      } else {
        this.skip(key & 7, end);
      }
    }
  }

  private value(end: number, slot: number): DecodedValue {
    const v = this.valuePool[slot] ?? (this.valuePool[slot] = newValue());
    v.tag = '';
    v.nodeName = '';
    v.pluginName = '';
    v.pluginContent = null;
    v.dataClass = 0;
    v.kind = 'none';
    v.simpleValue = 0;
    v.tensor = null;
    while (this.pos < end) {
      const key = this.varint32(end);
      const field = key >>> 3;
      const wire = key & 7;
      if (field === 2 && wire === 5) {
        v.kind = 'simple_value';
        v.tensor = null;
        v.simpleValue = this.float(end);
      } else if (wire === 2 && (field === 1 || field === 7 || field === 9 || field === 3 || field === 4 || field === 5 || field === 6 || field === 8)) {
        const len = this.length(end);
        const s = this.pos;
        const e = s + len;
        if (field === 1) v.tag = this.string(s, e);
        else if (field === 7) v.nodeName = this.string(s, e);
        else if (field === 9) this.metadata(e, v);
        else {
          v.kind = field === 3 ? 'obsolete_old_style_histogram' : field === 4 ? 'image' : field === 5 ? 'histo' : field === 6 ? 'audio' : 'tensor';
          v.tensor = field === 8 ? this.tensorProto(e, slot) : null;
        }
        this.pos = e;
      } else {
        this.skip(wire, end);
      }
    }
    return v;
  }

  private metadata(end: number, v: DecodedValue): void {
    while (this.pos < end) {
      const key = this.varint32(end);
      if (key === ((1 << 3) | 2)) {
        const e = this.length(end) + this.pos;
        // PluginData: plugin_name = 1, content = 2.
        while (this.pos < e) {
          const k = this.varint32(e);
          if (k === ((1 << 3) | 2)) {
            const pe = this.length(e) + this.pos;
            v.pluginName = this.string(this.pos, pe);
            this.pos = pe;
          } else if (k === ((2 << 3) | 2)) {
            const pe = this.length(e) + this.pos;
            v.pluginContent = this.bytes.subarray(this.pos, pe);
            this.pos = pe;
          } else {
            this.skip(k & 7, e);
          }
        }
        this.pos = e;
      } else if (key === ((4 << 3) | 0)) {
        v.dataClass = this.varint32(end);
      } else {
        this.skip(key & 7, end);
      }
    }
  }

  private tensorProto(end: number, slot: number): DecodedTensor {
    const t = this.tensorPool[slot] ?? (this.tensorPool[slot] = newTensor(this.bytes));
    t.dtype = 0;
    t.contentLength = -1;
    // Setting length is not free: only touch arrays the previous tensor in this slot filled.
    if (t.dims.length) t.dims.length = 0;
    if (t.floatVal.length) t.floatVal.length = 0;
    if (t.doubleVal.length) t.doubleVal.length = 0;
    if (t.halfVal.length) t.halfVal.length = 0;
    if (t.intVal.length) t.intVal.length = 0;
    if (t.int64Val.length) t.int64Val.length = 0;
    if (t.boolVal.length) t.boolVal.length = 0;
    while (this.pos < end) {
      const key = this.varint32(end);
      const field = key >>> 3;
      const wire = key & 7;
      switch (field) {
        case 1:
          if (wire !== 0) break;
          t.dtype = this.varint32(end);
          continue;
        case 2:
          if (wire !== 2) break;
          this.shape(this.length(end) + this.pos, t.dims);
          continue;
        case 4: {
          if (wire !== 2) break;
          const len = this.length(end);
          t.contentStart = this.pos;
          t.contentLength = len;
          this.pos += len;
          continue;
        }
        case 5:
          if (this.repeated(wire, 5, end, t.floatVal, () => this.float(end))) continue;
          break;
        case 6:
          if (this.repeated(wire, 1, end, t.doubleVal, () => this.double(end))) continue;
          break;
        case 7:
          if (this.repeated(wire, 0, end, t.intVal, () => this.varint64(end) | 0)) continue;
          break;
        case 10:
          if (this.repeated(wire, 0, end, t.int64Val, () => this.varint64(end))) continue;
          break;
        case 11:
          if (this.repeated(wire, 0, end, t.boolVal, () => this.varint64(end) !== 0)) continue;
          break;
        case 13:
          if (this.repeated(wire, 0, end, t.halfVal, () => this.varint64(end) | 0)) continue;
          break;
      }
      this.skip(wire, end);
    }
    return t;
  }

  /** Reads one element (wire type `elementWire`) or a packed run of them (wire type 2). False on another wire type. */
  private repeated<T>(wire: number, elementWire: number, end: number, out: T[], read: () => T): boolean {
    if (wire === elementWire) {
      out.push(read());
      return true;
    }
    if (wire !== 2) return false;
    const e = this.length(end) + this.pos;
    while (this.pos < e) out.push(read());
    if (this.pos !== e) throw new MalformedProtobuf(this.pos, 'packed field runs past its length');
    return true;
  }

  private shape(end: number, dims: number[]): void {
    while (this.pos < end) {
      const key = this.varint32(end);
      if (key === ((2 << 3) | 2)) {
        const e = this.length(end) + this.pos;
        let size = 0;
        while (this.pos < e) {
          const k = this.varint32(e);
          if (k === ((1 << 3) | 0)) size = this.varint64(e);
          else this.skip(k & 7, e);
        }
        dims.push(size);
        this.pos = e;
      } else {
        this.skip(key & 7, end);
      }
    }
  }

  private sessionLog(end: number): number {
    let status = 0;
    while (this.pos < end) {
      const key = this.varint32(end);
      if (key === ((1 << 3) | 0)) status = this.varint32(end);
      else this.skip(key & 7, end);
    }
    return status;
  }

  private sourceMetadata(end: number): string {
    let writer = '';
    while (this.pos < end) {
      const key = this.varint32(end);
      if (key === ((1 << 3) | 2)) {
        const e = this.length(end) + this.pos;
        writer = this.string(this.pos, e);
        this.pos = e;
      } else {
        this.skip(key & 7, end);
      }
    }
    return writer;
  }

  // ---- wire primitives ----

  private varint32(end: number): number {
    const b = this.bytes;
    let p = this.pos;
    if (p < end && b[p] < 0x80) {
      this.pos = p + 1;
      return b[p];
    }
    let result = 0;
    let shift = 0;
    while (true) {
      if (p >= end) throw new MalformedProtobuf(p, 'varint runs past the end');
      const byte = b[p++];
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7;
      if (shift >= 70) throw new MalformedProtobuf(p, 'varint longer than 10 bytes');
    }
    this.pos = p;
    return result >>> 0;
  }

  /** An int64 varint as a number (exact up to 2^53; two's complement negatives come back negative). */
  private varint64(end: number): number {
    const b = this.bytes;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    while (true) {
      if (p >= end) throw new MalformedProtobuf(p, 'varint runs past the end');
      const byte = b[p++];
      if (shift < 28) lo |= (byte & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (byte & 0x0f) << 28;
        hi |= (byte & 0x7f) >>> 4;
      } else if (shift < 64) hi |= (byte & 0x7f) << (shift - 32);
      if (byte < 0x80) break;
      shift += 7;
      if (shift >= 70) throw new MalformedProtobuf(p, 'varint longer than 10 bytes');
    }
    this.pos = p;
    return (hi | 0) * TWO_32 + (lo >>> 0);
  }

  private length(end: number): number {
    const len = this.varint32(end);
    if (len > end - this.pos) throw new MalformedProtobuf(this.pos, `length ${len} runs past the end of its message`);
    return len;
  }

  private double(end: number): number {
    if (end - this.pos < 8) throw new MalformedProtobuf(this.pos, 'double runs past the end');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  private float(end: number): number {
    if (end - this.pos < 4) throw new MalformedProtobuf(this.pos, 'float runs past the end');
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private skip(wire: number, end: number): void {
    switch (wire) {
      case 0:
        this.varint64(end);
        return;
      case 1:
        if (end - this.pos < 8) break;
        this.pos += 8;
        return;
      case 2: {
        // Not `this.pos += this.length(end)`: that would read pos before length() advances it past the varint.
        const len = this.length(end);
        this.pos += len;
        return;
      }
      case 5:
        if (end - this.pos < 4) break;
        this.pos += 4;
        return;
      default:
        throw new MalformedProtobuf(this.pos, `unsupported wire type ${wire}`);
    }
    throw new MalformedProtobuf(this.pos, 'field runs past the end');
  }

  private string(start: number, end: number): string {
    const b = this.bytes;
    const len = end - start;
    if (len === 0) return '';
    if (len > 256) return utf8.decode(b.subarray(start, end));
    // A cheap key (length and a few bytes) picks the bucket; the full comparison below decides.
    const h = (len * 0x01000193) ^ (b[start] | (b[end - 1] << 8) | (b[start + (len >>> 1)] << 16) | (b[end - 2 >= start ? end - 2 : start] << 24));
    const bucket = this.strings.get(h);
    if (bucket) {
      outer: for (const c of bucket) {
        if (c.bytes.length !== len) continue;
        for (let i = 0; i < len; i++) if (c.bytes[i] !== b[start + i]) continue outer;
        return c.text;
      }
    }
    const text = utf8.decode(b.subarray(start, end));
    // Bounded so that a file of ever-changing strings cannot grow the cache without limit.
    if (this.cached < 4096) {
      this.cached++;
      const entry = { bytes: b.subarray(start, end), text };
      if (bucket) bucket.push(entry);
      else this.strings.set(h, [entry]);
    }
    return text;
  }


}

/** Decodes one Event from a standalone buffer (tests and sniffing); the result is the caller's to keep. */
export function decodeEvent(bytes: Uint8Array, start = 0, end = bytes.length): DecodedEvent {
  return new EventDecoder(bytes).decodeEvent(start, end);
}
