/**
 * A small TensorBoard event-file encoder for tests and the bench: Event / Summary / TensorProto in protobuf wire format
 * (field numbers from src/ingest/tfevents/proto/*.proto) framed as TFRecords. Written independently of the reader's
 * decoder so that each checks the other; the CRC is shared, and is itself checked against RFC 3720 vectors and real files.
 */
import { maskedCrc32c } from '../../src/ingest/tfevents/crc32c.ts';

export const DT_FLOAT = 1;
export const DT_DOUBLE = 2;
export const DT_INT32 = 3;
export const DT_INT64 = 9;
export const DT_BFLOAT16 = 14;
export const DT_HALF = 19;

export interface TensorSpec {
  dtype: number;
  /** Dimension sizes; omitted or [] for a rank-0 scalar. */
  dims?: number[];
  content?: Uint8Array;
  floatVal?: number[];
  doubleVal?: number[];
  halfVal?: number[];
  intVal?: number[];
  int64Val?: number[];
  /** Write repeated numbers one field each instead of packed (old writers did). */
  unpacked?: boolean;
}

export interface ValueSpec {
  tag: string;
  nodeName?: string;
  pluginName?: string;
  pluginContent?: Uint8Array;
  dataClass?: number;
  simpleValue?: number;
  tensor?: TensorSpec;
  /** A HistogramProto with these bucket counts. */
  histo?: number[];
  image?: { width: number; height: number; png: Uint8Array };
  audio?: { sampleRate: number; data: Uint8Array };
}

export interface EventSpec {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  graphDef?: Uint8Array;
  metaGraphDef?: Uint8Array;
  values?: ValueSpec[];
  sessionStatus?: number;
  taggedRunMetadata?: { tag: string; runMetadata: Uint8Array };
  sourceWriter?: string;
}

/** Growable protobuf output. */
class Out {
  bytes = new Uint8Array(64);
  len = 0;
  private room(n: number): void {
    if (this.len + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.len));
    this.bytes = next;
  }
  varint(v: number): this {
    // Negative int64 values take ten bytes of two's complement.
    let lo = v >>> 0;
    let hi = v < 0 ? (Math.floor(v / 4294967296) >>> 0) : Math.floor(v / 4294967296) >>> 0;
    this.room(10);
    while (hi !== 0 || lo > 0x7f) {
      this.bytes[this.len++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.bytes[this.len++] = lo;
    return this;
  }
  key(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  double(field: number, v: number): this {
    this.key(field, 1).room(8);
    new DataView(this.bytes.buffer).setFloat64(this.len, v, true);
    this.len += 8;
    return this;
  }
  float(field: number, v: number): this {
    this.key(field, 5).room(4);
    new DataView(this.bytes.buffer).setFloat32(this.len, v, true);
    this.len += 4;
    return this;
  }
  raw(b: Uint8Array): this {
    this.room(b.length);
    this.bytes.set(b, this.len);
    this.len += b.length;
    return this;
  }
  lengthDelimited(field: number, b: Uint8Array): this {
    return this.key(field, 2).varint(b.length).raw(b);
  }
  string(field: number, s: string): this {
    return this.lengthDelimited(field, new TextEncoder().encode(s));
  }
  message(field: number, build: (o: Out) => void): this {
    const inner = new Out();
    build(inner);
    return this.lengthDelimited(field, inner.done());
  }
  done(): Uint8Array {
    return this.bytes.slice(0, this.len);
  }
}

function packedOrNot(o: Out, field: number, values: number[] | undefined, unpacked: boolean | undefined, kind: 'float' | 'double' | 'varint'): void {
  if (!values || values.length === 0) return;
  if (unpacked) {
    for (const v of values) {
      if (kind === 'float') o.float(field, v);
      else if (kind === 'double') o.double(field, v);
      else o.key(field, 0).varint(v);
    }
    return;
  }
  o.message(field, (p) => {
    for (const v of values) {
      if (kind === 'varint') {
        p.varint(v);
        continue;
      }
      const n = kind === 'float' ? 4 : 8;
      const b = new Uint8Array(n);
      const dv = new DataView(b.buffer);
      if (kind === 'float') dv.setFloat32(0, v, true);
      else dv.setFloat64(0, v, true);
      p.raw(b);
    }
  });
}

function tensor(o: Out, t: TensorSpec): void {
  o.key(1, 0).varint(t.dtype);
  o.message(2, (s) => {
    for (const d of t.dims ?? []) s.message(2, (dim) => dim.key(1, 0).varint(d));
  });
  if (t.content) o.lengthDelimited(4, t.content);
  packedOrNot(o, 5, t.floatVal, t.unpacked, 'float');
  packedOrNot(o, 6, t.doubleVal, t.unpacked, 'double');
  packedOrNot(o, 7, t.intVal, t.unpacked, 'varint');
  packedOrNot(o, 10, t.int64Val, t.unpacked, 'varint');
  packedOrNot(o, 13, t.halfVal, t.unpacked, 'varint');
}

function value(o: Out, v: ValueSpec): void {
  if (v.tag) o.string(1, v.tag);
  if (v.nodeName) o.string(7, v.nodeName);
  if (v.pluginName !== undefined || v.dataClass !== undefined) {
    o.message(9, (m) => {
      if (v.pluginName !== undefined) {
        m.message(1, (p) => {
          p.string(1, v.pluginName!);
          if (v.pluginContent) p.lengthDelimited(2, v.pluginContent);
        });
      }
      if (v.dataClass !== undefined) m.key(4, 0).varint(v.dataClass);
    });
  }
  if (v.simpleValue !== undefined) o.float(2, v.simpleValue);
  if (v.image) {
    const img = v.image;
    o.message(4, (m) => m.key(1, 0).varint(img.height).key(2, 0).varint(img.width).lengthDelimited(4, img.png));
  }
  if (v.histo) {
    const buckets = v.histo;
    o.message(5, (h) => {
      h.double(1, 0).double(2, buckets.length).double(3, buckets.reduce((a, b) => a + b, 0));
      packedOrNot(h, 6, buckets.map((_, i) => i + 1), false, 'double');
      packedOrNot(h, 7, buckets, false, 'double');
    });
  }
  if (v.audio) {
    const a = v.audio;
    o.message(6, (m) => m.float(1, a.sampleRate).lengthDelimited(4, a.data));
  }
  if (v.tensor) {
    const t = v.tensor;
    o.message(8, (m) => tensor(m, t));
  }
}

/** The protobuf bytes of one Event. */
export function encodeEvent(ev: EventSpec): Uint8Array {
  const o = new Out();
  o.double(1, ev.wallTime);
  if (ev.step) o.key(2, 0).varint(ev.step);
  if (ev.fileVersion !== undefined) o.string(3, ev.fileVersion);
  if (ev.graphDef) o.lengthDelimited(4, ev.graphDef);
  if (ev.values) {
    const values = ev.values;
    o.message(5, (s) => {
      for (const v of values) s.message(1, (m) => value(m, v));
    });
  }
  if (ev.sessionStatus !== undefined) o.message(7, (m) => m.key(1, 0).varint(ev.sessionStatus!));
  if (ev.taggedRunMetadata) {
    const t = ev.taggedRunMetadata;
    o.message(8, (m) => m.string(1, t.tag).lengthDelimited(2, t.runMetadata));
  }
  if (ev.metaGraphDef) o.lengthDelimited(9, ev.metaGraphDef);
  if (ev.sourceWriter) o.message(10, (m) => m.string(1, ev.sourceWriter!));
  return o.done();
}

/** One TFRecord: u64le length, masked CRC of it, payload, masked CRC of the payload. */
export function frameRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length + 4);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, payload.length, true);
  dv.setUint32(4, 0, true);
  dv.setUint32(8, maskedCrc32c(out, 0, 8), true);
  out.set(payload, 12);
  dv.setUint32(12 + payload.length, maskedCrc32c(payload), true);
  return out;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A whole event file: a file_version record (as every writer starts with), then the events. */
export function eventFile(events: EventSpec[], opts: { wallTime?: number; fileVersion?: string | null } = {}): Uint8Array {
  const head = opts.fileVersion === null ? [] : [encodeEvent({ wallTime: opts.wallTime ?? events[0]?.wallTime ?? 1.7e9, fileVersion: opts.fileVersion ?? 'brain.Event:2' })];
  return concatBytes([...head, ...events.map(encodeEvent)].map(frameRecord));
}

/** A TF2 `tf.summary.scalar` value: rank-0 tensor, value in tensor_content, plugin name only when `first`. */
export function tf2Scalar(tag: string, v: number, first: boolean, dtype = DT_FLOAT): ValueSpec {
  const content = new Uint8Array(dtype === DT_DOUBLE ? 8 : 4);
  const dv = new DataView(content.buffer);
  if (dtype === DT_DOUBLE) dv.setFloat64(0, v, true);
  else dv.setFloat32(0, v, true);
  return { tag, ...(first ? { pluginName: 'scalars', dataClass: 1 } : {}), tensor: { dtype, content } };
}

/** A simple_value scalar (TF1, PyTorch, tensorboardX). */
export function simpleScalar(tag: string, v: number): ValueSpec {
  return { tag, simpleValue: v };
}

export interface FastScalar {
  tag: string;
  step: number;
  wallTime: number;
  value: number;
  /** A TF2 tensor scalar (DT_FLOAT in tensor_content) instead of a simple_value. */
  tensor: boolean;
}

function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/**
 * The same bytes as `eventFile` for one-scalar events, written straight into one buffer: the bench needs a
 * million records, and building each through nested messages takes minutes on a busy machine. Non-negative steps only.
 * A tensor scalar carries the `scalars` plugin name on the first value of its tag only, as TF2 writes it.
 */
export function fastScalarEventFile(count: number, at: (i: number) => FastScalar, firstWallTime: number): Uint8Array {
  const enc = new TextEncoder();
  const tagBytes = new Map<string, Uint8Array>();
  const seen = new Set<string>();
  const head = frameRecord(encodeEvent({ wallTime: firstWallTime, fileVersion: 'brain.Event:2' }));
  let buf = new Uint8Array(Math.max(1024, count * 128));
  let dv = new DataView(buf.buffer);
  buf.set(head);
  let o = head.length;
  const plugin = enc.encode('scalars');
  for (let i = 0; i < count; i++) {
    const s = at(i);
    let tb = tagBytes.get(s.tag);
    if (!tb) tagBytes.set(s.tag, (tb = enc.encode(s.tag)));
    const first = s.tensor && !seen.has(s.tag);
    if (first) seen.add(s.tag);
    // Summary.Value: tag, [metadata], simple_value | tensor (dtype, empty shape, 4-byte content).
    const metaLen = first ? 2 + (2 + plugin.length) + 2 : 0;
    const valueLen = 1 + varintLength(tb.length) + tb.length + (first ? 2 + metaLen : 0) + (s.tensor ? 2 + 10 : 5);
    const summaryLen = 1 + varintLength(valueLen) + valueLen;
    const eventLen = 9 + (s.step ? 1 + varintLength(s.step) : 0) + 1 + varintLength(summaryLen) + summaryLen;
    const need = 16 + eventLen;
    if (o + need > buf.length) {
      const next = new Uint8Array(buf.length * 2);
      next.set(buf.subarray(0, o));
      buf = next;
      dv = new DataView(buf.buffer);
    }
    const recordStart = o;
    dv.setUint32(o, eventLen, true);
    dv.setUint32(o + 4, 0, true);
    dv.setUint32(o + 8, maskedCrc32c(buf, o, o + 8), true);
    o += 12;
    const payloadStart = o;
    const varint = (v: number) => {
      while (v >= 0x80) {
        buf[o++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
      buf[o++] = v;
    };
    buf[o++] = 0x09;
    dv.setFloat64(o, s.wallTime, true);
    o += 8;
    if (s.step) {
      buf[o++] = 0x10;
      varint(s.step);
    }
    buf[o++] = 0x2a;
    varint(summaryLen);
    buf[o++] = 0x0a;
    varint(valueLen);
    buf[o++] = 0x0a;
    varint(tb.length);
    buf.set(tb, o);
    o += tb.length;
    if (first) {
      buf[o++] = 0x4a;
      buf[o++] = metaLen;
      buf[o++] = 0x0a;
      buf[o++] = 2 + plugin.length;
      buf[o++] = 0x0a;
      buf[o++] = plugin.length;
      buf.set(plugin, o);
      o += plugin.length;
      buf[o++] = 0x20;
      buf[o++] = 1;
    }
    if (s.tensor) {
      buf[o++] = 0x42;
      buf[o++] = 10;
      buf[o++] = 0x08;
      buf[o++] = DT_FLOAT;
      buf[o++] = 0x12;
      buf[o++] = 0;
      buf[o++] = 0x22;
      buf[o++] = 4;
      dv.setFloat32(o, s.value, true);
      o += 4;
    } else {
      buf[o++] = 0x15;
      dv.setFloat32(o, s.value, true);
      o += 4;
    }
    if (o - payloadStart !== eventLen) throw new Error(`fastScalarEventFile: wrote ${o - payloadStart} bytes, planned ${eventLen} (record at ${recordStart})`);
    dv.setUint32(o, maskedCrc32c(buf, payloadStart, o), true);
    o += 4;
  }
  return buf.slice(0, o);
}
