import { describe, expect, it } from 'vitest';
import { formatNumber, formatTable, toJson } from '../../src/cli/format.ts';

describe('CLI formatting', () => {
  it('formats numbers for people', () => {
    expect([0.123456, 2.081884, 1234567, 0.00001234, 30, NaN, Infinity, -Infinity, null].map(formatNumber)).toEqual([
      '0.1235', '2.082', '1.23e+6', '1.23e-5', '30', 'NaN', 'Inf', '-Inf', '-',
    ]);
  });

  it('aligns table columns, numbers to the right', () => {
    expect(formatTable(['A', 'N'], [['x', '5'], ['long', '123']], new Set([1]))).toEqual(['A       N', 'x       5', 'long  123']);
  });

  it('writes NaN/Infinity as null and typed arrays as arrays', () => {
    expect(JSON.parse(toJson({ a: NaN, b: [Infinity, 1], c: Float64Array.from([1, NaN]) }))).toEqual({ a: null, b: [null, 1], c: [1, null] });
  });
});
