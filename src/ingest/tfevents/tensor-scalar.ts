import type { DecodedTensor } from './event-decoder.ts';

/** tensorboard.DataType numbers (./proto/types.proto). */
export const DT_FLOAT = 1;
export const DT_DOUBLE = 2;
export const DT_INT32 = 3;
export const DT_INT64 = 9;
export const DT_BOOL = 10;
export const DT_BFLOAT16 = 14;
export const DT_HALF = 19;

// Scratch space to reinterpret little-endian bytes as floats without allocating a DataView per value.
const scratch = new ArrayBuffer(8);
const scratchBytes = new Uint8Array(scratch);
const scratchView = new DataView(scratch);

function load(t: DecodedTensor, n: number): DataView {
  const b = t.source;
  const o = t.contentStart;
  for (let i = 0; i < n; i++) scratchBytes[i] = b[o + i];
  return scratchView;
}

/** IEEE 754 binary16 bit pattern → number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 bit pattern (the top half of a float32) → number. */
export function bfloat16ToNumber(h: number): number {
  scratchView.setUint32(0, (h & 0xffff) << 16, true);
  return scratchView.getFloat32(0, true);
}

/**
 * The single value of a one-element numeric tensor (what tf.summary.scalar writes: rank 0, DT_FLOAT, the value in
 * tensor_content or float_val), or undefined when the tensor is not one number.
 */
export function tensorScalar(t: DecodedTensor): number | undefined {
  let count = 1;
  for (const d of t.dims) count *= d;
  if (count !== 1) return undefined;
  // n: bytes of tensor_content, -1 when the value is in the *_val fields.
  const n = t.contentLength;
  const b = t.source;
  const o = t.contentStart;
  switch (t.dtype) {
    case DT_FLOAT:
      return n < 0 ? t.floatVal[0] : n >= 4 ? load(t, 4).getFloat32(0, true) : undefined;
    case DT_DOUBLE:
      return n < 0 ? t.doubleVal[0] : n >= 8 ? load(t, 8).getFloat64(0, true) : undefined;
    case DT_HALF:
      if (n >= 0) return n >= 2 ? halfToNumber(b[o] | (b[o + 1] << 8)) : undefined;
      return t.halfVal.length ? halfToNumber(t.halfVal[0]) : undefined;
    case DT_BFLOAT16:
      if (n >= 0) return n >= 2 ? bfloat16ToNumber(b[o] | (b[o + 1] << 8)) : undefined;
      return t.halfVal.length ? bfloat16ToNumber(t.halfVal[0]) : undefined;
    case DT_INT32:
      return n < 0 ? t.intVal[0] : n >= 4 ? load(t, 4).getInt32(0, true) : undefined;
    case DT_INT64:
      return n < 0 ? t.int64Val[0] : n >= 8 ? Number(load(t, 8).getBigInt64(0, true)) : undefined;
    case DT_BOOL:
      if (n >= 0) return n >= 1 ? (b[o] ? 1 : 0) : undefined;
      return t.boolVal.length ? (t.boolVal[0] ? 1 : 0) : undefined;
    default:
      return undefined;
  }
}
