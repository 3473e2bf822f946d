/**
 * NumPy's .npy format, read without NumPy: the magic `\x93NUMPY`, a version, a header that is a Python dict literal
 * ({'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }) and the raw array. Numeric dtypes (bool,
 * signed and unsigned integers of 1–8 bytes, float16/32/64, either byte order) and fixed-width strings (`<U…`, `|S…`,
 * for labels) are read; object arrays are pickles and refused. Sizes are checked against the limit before anything is
 * allocated. Pure.
 */
import { IngestError } from '../../ingest/ingest-error.ts';

export interface NpyArray {
  shape: number[];
  /** The dtype as written ('<f4', '|u1', '<U5'). */
  descr: string;
  /** Numeric arrays: the values as float64 (int64 beyond 2^53 loses precision, as labels never are). */
  values: Float64Array | null;
  /** String arrays: the strings. */
  strings: string[] | null;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Parses one .npy. `file` names it in errors (for an npz member: "data.npz", with `entry` "x.npy"); `maxBytes` caps
 * the decoded size (8 bytes a value).
 */
export function parseNpy(bytes: Uint8Array, file: string, maxBytes: number, entry?: string): NpyArray {
  const where = entry ? `entry '${entry}': ` : '';
  const fail = (reason: string): never => {
    throw new IngestError({ file, reason: `${where}${reason}` });
  };
  if (!isNpy(bytes)) fail('not a NumPy .npy array: expected the magic bytes \\x93NUMPY at the start');
  if (bytes.length < 10) fail('truncated .npy header');
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated .npy header');
    headerLen = dv.getUint32(8, true);
    start = 12;
  } else {
    return fail(`.npy format version ${major}: expected 1, 2 or 3`);
  }
  if (start + headerLen > bytes.length) fail(`the header says ${headerLen} bytes but the file ends before`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    fail(`unreadable .npy header ${JSON.stringify(header.trim().slice(0, 120))}: expected a dict with 'descr', 'fortran_order' and 'shape'`);
  }
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`shape (${shapeText}) is not a tuple of whole numbers`);
  const count = shape.reduce((a, b) => a * b, 1);
  const data = bytes.subarray(start + headerLen);

  const m = /^([<>|=])([biufUSO])(\d*)$/.exec(descr!);
  if (!m) return fail(`dtype '${descr}' is not supported: expected a numeric dtype (bool, int, uint, float) or fixed-width strings`);
  const [, order, kind, sizeText] = m;
  if (kind === 'O') fail("dtype 'O' (Python objects, a pickle) is not read: save the array with a numeric or string dtype (np.asarray(a, dtype=np.float32))");
  const size = Number(sizeText || (kind === 'b' ? 1 : 0));
  const little = order !== '>';
  const itemBytes = kind === 'U' ? size * 4 : size;
  if (itemBytes <= 0) fail(`dtype '${descr}' has no item size`);
  if (count * 8 > maxBytes) fail(`${count} values (shape (${shape.join(', ')})) decode to more than the limit of ${maxBytes} bytes (INGEST_MAX_BYTES)`);
  if (data.length < count * itemBytes) fail(`shape (${shape.join(', ')}) of '${descr}' needs ${count * itemBytes} bytes of data, the file has ${data.length} (truncated?)`);

  if (kind === 'U' || kind === 'S') {
    const strings: string[] = new Array(count);
    const ddv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < count; i++) {
      let s = '';
      for (let k = 0; k < size; k++) {
        const code = kind === 'U' ? ddv.getUint32((i * size + k) * 4, little) : data[i * size + k]!;
        if (code === 0) break;
        s += String.fromCodePoint(Math.min(code, 0x10ffff));
      }
      strings[i] = s;
    }
    return { shape, descr: descr!, values: null, strings: reorder(strings, shape, fortran === 'True') };
  }

  const read = reader(kind!, size, little, descr!, fail);
  const values = new Float64Array(count);
  const ddv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < count; i++) values[i] = read(ddv, i * size);
  return { shape, descr: descr!, values: fortran === 'True' ? reorder(values, shape, true) : values, strings: null };
}

type Read = (dv: DataView, at: number) => number;

function reader(kind: string, size: number, little: boolean, descr: string, fail: (r: string) => never): Read {
  const key = `${kind}${size}`;
  switch (key) {
    case 'b1':
      return (dv, at) => (dv.getUint8(at) ? 1 : 0);
    case 'u1':
      return (dv, at) => dv.getUint8(at);
    case 'i1':
      return (dv, at) => dv.getInt8(at);
    case 'u2':
      return (dv, at) => dv.getUint16(at, little);
    case 'i2':
      return (dv, at) => dv.getInt16(at, little);
    case 'u4':
      return (dv, at) => dv.getUint32(at, little);
    case 'i4':
      return (dv, at) => dv.getInt32(at, little);
    case 'u8':
      return (dv, at) => Number(dv.getBigUint64(at, little));
    case 'i8':
      return (dv, at) => Number(dv.getBigInt64(at, little));
    case 'f2':
      return (dv, at) => half(dv.getUint16(at, little));
    case 'f4':
      return (dv, at) => dv.getFloat32(at, little);
    case 'f8':
      return (dv, at) => dv.getFloat64(at, little);
    default:
      return fail(`dtype '${descr}' is not supported: expected bool, int8–64, uint8–64 or float16/32/64`);
  }
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Fortran (column-major) order → row-major. */
function reorder<T extends Float64Array | string[]>(a: T, shape: number[], fortran: boolean): T {
  if (!fortran || shape.length < 2) return a;
  const n = a.length;
  const out = (Array.isArray(a) ? new Array(n) : new Float64Array(n)) as T;
  const strides = new Array<number>(shape.length);
  // Row-major strides of the output.
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < n; f++) {
    let r = 0;
    for (let d = 0; d < shape.length; d++) r += idx[d]! * strides[d]!;
    (out as unknown as Array<unknown>)[r] = (a as unknown as Array<unknown>)[f];
    // Column-major increments the first index fastest.
    for (let d = 0; d < shape.length; d++) {
      idx[d]!++;
      if (idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}
