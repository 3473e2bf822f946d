import { MalformedProtobuf } from './event-decoder.ts';

/** A hyperparameter value as the hparams plugin stores it (google.protobuf.Value); lists and structs as JSON text. */
export type HparamValue = number | string | boolean | null;

const utf8 = new TextDecoder('utf-8');

/** Minimal wire reading over bytes[pos, end) for the few hparams messages (./proto/hparams_plugin_data.proto). */
class Reader {
  constructor(
    readonly b: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}
  more(): boolean {
    return this.pos < this.end;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new MalformedProtobuf(this.pos, 'varint runs past the end');
      const byte = this.b[this.pos++];
      if (i < 7) result += (byte & 0x7f) * mul;
      mul *= 128;
      if (byte < 0x80) return result;
    }
    throw new MalformedProtobuf(this.pos, 'varint longer than 10 bytes');
  }
  sub(): Reader {
    const len = this.varint();
    if (len > this.end - this.pos) throw new MalformedProtobuf(this.pos, 'length runs past the end');
    const r = new Reader(this.b, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.sub();
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (this.end - this.pos < n) throw new MalformedProtobuf(this.pos, 'field runs past the end');
      this.pos += n;
    } else throw new MalformedProtobuf(this.pos, `unsupported wire type ${wire}`);
  }
  text(): string {
    const r = this.sub();
    return utf8.decode(this.b.subarray(r.pos, r.end));
  }
  double(): number {
    if (this.end - this.pos < 8) throw new MalformedProtobuf(this.pos, 'double runs past the end');
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }
}

/** google.protobuf.Value: null_value 1, number_value 2, string_value 3, bool_value 4, struct_value 5, list_value 6. */
function value(r: Reader): HparamValue {
  let out: HparamValue = null;
  while (r.more()) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 1 && wire === 0) {
      r.varint();
      out = null;
    } else if (field === 2 && wire === 1) out = r.double();
    else if (field === 3 && wire === 2) out = r.text();
    else if (field === 4 && wire === 0) out = r.varint() !== 0;
    else if ((field === 5 || field === 6) && wire === 2) {
      r.sub();
      out = field === 5 ? '[struct]' : '[list]';
    } else r.skip(wire);
  }
  return out;
}

/**
 * The hyperparameters of an hparams `session_start_info` summary (HParamsPluginData.session_start_info.hparams,
 * a map<string, Value>), or null when the content is another hparams record (experiment, session_end_info).
 * Throws MalformedProtobuf on bytes that are not such a message.
 */
export function decodeHparams(content: Uint8Array): Record<string, HparamValue> | null {
  const top = new Reader(content, 0, content.length);
  let found: Record<string, HparamValue> | null = null;
  while (top.more()) {
    const key = top.varint();
    if (key !== ((3 << 3) | 2)) {
      top.skip(key & 7);
      continue;
    }
    const entries = new Map<string, HparamValue>();
    const start = top.sub();
    while (start.more()) {
      const k = start.varint();
      if (k !== ((1 << 3) | 2)) {
        start.skip(k & 7);
        continue;
      }
      const entry = start.sub();
      let name = '';
      let v: HparamValue = null;
      while (entry.more()) {
        const ek = entry.varint();
        if (ek === ((1 << 3) | 2)) name = entry.text();
        else if (ek === ((2 << 3) | 2)) v = value(entry.sub());
        else entry.skip(ek & 7);
      }
      entries.set(name, v);
    }
    // fromEntries makes own properties even of names like "__proto__".
    found = { ...(found ?? {}), ...Object.fromEntries(entries) };
  }
  return found;
}
