/**
 * How one column of one chunk is stored. Points are float64 columns; a blob is one of:
 *   - n*8 bytes: the values, little-endian float64 (the platform order on every machine Node supports here);
 *   - 16 bytes with n != 2: an arithmetic sequence (start, delta) reproduced exactly as start + i*delta;
 *   - null: every value is NaN (the column is unknown for these points).
 * Steps and epochs are nearly always arithmetic, so a run's size is about its values alone.
 */
import os from 'node:os';

if (os.endianness() !== 'LE') throw new Error('runmedic stores float64 columns little-endian; this platform is big-endian');

/** `nullable: false` for columns that must always be stored (steps, values): an all-NaN column is then kept as bytes. */
export function encodeColumn(col: Float64Array, nullable: false): Buffer;
export function encodeColumn(col: Float64Array, nullable?: boolean): Buffer | null;
export function encodeColumn(col: Float64Array, nullable = true): Buffer | null {
  const n = col.length;
  if (n >= 3) {
    const start = col[0]!;
    const delta = col[1]! - start;
    if (isArithmetic(col, start, delta)) {
      const b = Buffer.allocUnsafe(16);
      b.writeDoubleLE(start, 0);
      b.writeDoubleLE(delta, 8);
      return b;
    }
  }
  if (nullable && allNaN(col)) return null;
  // A view, not a copy: SQLite copies the bytes when the statement runs.
  return Buffer.from(col.buffer, col.byteOffset, col.byteLength);
}

/** Writes the n values of `blob` into `out` starting at index `at`. */
export function decodeColumnInto(blob: Uint8Array | null, n: number, out: Float64Array, at: number): void {
  if (blob === null) {
    out.fill(NaN, at, at + n);
    return;
  }
  if (blob.byteLength === n * 8) {
    new Uint8Array(out.buffer, out.byteOffset + at * 8, n * 8).set(blob);
    return;
  }
  if (blob.byteLength === 16) {
    const view = new DataView(blob.buffer, blob.byteOffset, 16);
    const start = view.getFloat64(0, true);
    const delta = view.getFloat64(8, true);
    for (let i = 0; i < n; i++) out[at + i] = start + i * delta;
    return;
  }
  throw new Error(`corrupt chunk column: ${blob.byteLength} bytes for ${n} points`);
}

function isArithmetic(col: Float64Array, start: number, delta: number): boolean {
  if (!Number.isFinite(start) || !Number.isFinite(delta)) return false;
  for (let i = 0; i < col.length; i++) {
    const v = col[i]!;
    const expected = start + i * delta;
    // Object.is semantics without the call: -0 must not come back as 0.
    if (v !== expected || (v === 0 && 1 / v !== 1 / expected)) return false;
  }
  return true;
}

function allNaN(col: Float64Array): boolean {
  for (let i = 0; i < col.length; i++) if (col[i] === col[i]) return false;
  return true;
}
