import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeColumnInto, encodeColumn } from '../../src/store/column-codec.ts';

function roundTrip(col: Float64Array, nullable = true): Float64Array {
  const blob = encodeColumn(col, nullable);
  const out = new Float64Array(col.length + 2).fill(123);
  decodeColumnInto(blob ? new Uint8Array(blob) : null, col.length, out, 1);
  expect(out[0]).toBe(123);
  expect(out[col.length + 1]).toBe(123);
  return out.subarray(1, col.length + 1);
}

describe('column codec', () => {
  it('encodes arithmetic sequences in 16 bytes, others raw, all-NaN as null', () => {
    expect(encodeColumn(Float64Array.from([0, 1, 2, 3]))!.byteLength).toBe(16);
    expect(encodeColumn(Float64Array.from([0.5, 0.5, 0.5]))!.byteLength).toBe(16);
    expect(encodeColumn(Float64Array.from([0, 1, 3]))!.byteLength).toBe(24);
    expect(encodeColumn(Float64Array.from([0, 1]))!.byteLength).toBe(16); // two points: raw (same size)
    expect(encodeColumn(Float64Array.from([NaN, NaN, NaN]))).toBeNull();
    expect(encodeColumn(Float64Array.from([NaN, NaN, NaN]), false)!.byteLength).toBe(24);
    expect(encodeColumn(Float64Array.from([0, -0, 0]))!.byteLength).toBe(24);
  });

  it('decodes exactly what was encoded (property, incl. NaN, ±Infinity, -0)', () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { maxLength: 40 }), fc.boolean(), (xs, nullable) => {
        const col = Float64Array.from(xs);
        const back = roundTrip(col, nullable);
        expect(Array.from(back)).toEqual(Array.from(col));
      }),
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), fc.double({ noNaN: true, min: -1e3, max: 1e3 }), fc.integer({ min: 3, max: 50 }), (a, d, n) => {
        const col = Float64Array.from({ length: n }, (_, i) => a + i * d);
        expect(Array.from(roundTrip(col))).toEqual(Array.from(col));
      }),
    );
  });

  it('rejects a blob of the wrong size', () => {
    expect(() => decodeColumnInto(new Uint8Array(12), 3, new Float64Array(3), 0)).toThrow(/corrupt/);
  });
});
