import { describe, it, expect } from 'vitest';
import { computeDatasetStats } from '../../src/data/dataset-stats.ts';

const ex = (rows: number[][], labels: number[]) => ({ x: Float32Array.from(rows.flat()), y: Int32Array.from(labels), featureSize: rows[0]!.length });

describe('computeDatasetStats', () => {
  it('counts classes, duplicates, label conflicts and the input range', () => {
    const train = ex(
      [
        [0, 1],
        [0, 1], // duplicate, same label
        [2, 3],
        [2, 3], // duplicate, different label → conflict group of 2
        [5, -0],
        [5, 0], // -0 equals 0
      ],
      [0, 0, 1, 0, 2, 2],
    );
    const s = computeDatasetStats(train, null, ['a', 'b', 'c', 'd']);
    expect(s.classCounts).toEqual({ a: 3, b: 1, c: 2, d: 0 });
    expect(s.trainSize).toBe(6);
    expect(s.duplicates).toBe(3);
    expect(s.labelConflicts).toBe(2);
    expect(s.inputMin).toBe(0);
    expect(s.inputMax).toBe(5);
    expect(s.inputMean).toBeCloseTo(22 / 12, 6);
    expect(s.valSize).toBeUndefined();
  });

  it('counts validation inputs that also appear in training', () => {
    const train = ex([[1, 1], [2, 2], [3, 3]], [0, 1, 0]);
    const val = ex([[2, 2], [4, 4], [1, 1], [1, 1.0000001]], [1, 1, 0, 0]);
    const s = computeDatasetStats(train, val);
    expect(s.trainValOverlap).toBe(2);
    expect(s.valSize).toBe(4);
    expect(s.valClassCounts).toEqual({ '0': 2, '1': 2 });
    expect(s.duplicates).toBe(0);
  });

  it('finds rows that collide only in a hash bucket as distinct', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => [i % 97, Math.floor(i / 97)]);
    const s = computeDatasetStats(ex(rows, rows.map(() => 0)), null);
    expect(s.duplicates).toBe(0);
  });
});
