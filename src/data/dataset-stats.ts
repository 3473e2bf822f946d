/**
 * Dataset statistics for the engine's data checks, computed from the examples a job actually trains on.
 * Pure: arrays in, DatasetStats out.
 */
import type { DatasetStats } from '../domain/context.ts';

export interface LabelledExamples {
  /** n × featureSize inputs, row-major. */
  x: Float32Array;
  /** n class indices. */
  y: Int32Array;
  featureSize: number;
}

/** FNV-1a over the row's float bits: equal rows hash equal; collisions are resolved by comparing the rows. */
function rowHash(bits: Uint32Array, start: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < start + len; i++) {
    h = Math.imul(h ^ bits[i]!, 0x01000193) >>> 0;
  }
  return h;
}

function rowsEqual(a: Uint32Array, ia: number, b: Uint32Array, ib: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (a[ia + k] !== b[ib + k]) return false;
  return true;
}

/** Groups identical rows: representative index → member indices, built in one pass. */
class RowIndex {
  private readonly buckets = new Map<number, number[]>();
  readonly groups = new Map<number, number[]>();
  constructor(
    private readonly bits: Uint32Array,
    private readonly f: number,
  ) {}

  /** Adds row i; returns the index of an earlier identical row, or -1. */
  add(i: number): number {
    const h = rowHash(this.bits, i * this.f, this.f);
    const rep = this.find(this.bits, i, h);
    if (rep >= 0) {
      this.groups.get(rep)!.push(i);
      return rep;
    }
    const bucket = this.buckets.get(h);
    if (bucket) bucket.push(i);
    else this.buckets.set(h, [i]);
    this.groups.set(i, [i]);
    return -1;
  }

  /** The representative of a row equal to row i of `other`, or -1. */
  find(other: Uint32Array, i: number, h = rowHash(other, i * this.f, this.f)): number {
    const bucket = this.buckets.get(h);
    if (!bucket) return -1;
    for (const j of bucket) if (rowsEqual(this.bits, j * this.f, other, i * this.f, this.f)) return j;
    return -1;
  }
}

function bitsOf(x: Float32Array): Uint32Array {
  // -0 and +0 are different bits but the same input: normalise so they count as duplicates.
  const copy = Float32Array.from(x, (v) => (v === 0 ? 0 : v));
  return new Uint32Array(copy.buffer);
}

function classCounts(y: Int32Array, classNames?: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  if (classNames) for (const name of classNames) counts[name] = 0;
  for (const c of y) {
    const key = classNames?.[c] ?? String(c);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * Class counts, exact duplicates, identical inputs with different labels, train/validation overlap and the input
 * range of a training split (and its validation split when there is one).
 */
export function computeDatasetStats(train: LabelledExamples, val: LabelledExamples | null, classNames?: string[]): DatasetStats {
  const f = train.featureSize;
  const n = train.y.length;
  const trainBits = bitsOf(train.x);
  const index = new RowIndex(trainBits, f);
  let duplicates = 0;
  for (let i = 0; i < n; i++) if (index.add(i) >= 0) duplicates++;

  let labelConflicts = 0;
  for (const members of index.groups.values()) {
    if (members.length < 2) continue;
    const first = train.y[members[0]!];
    if (members.some((m) => train.y[m] !== first)) labelConflicts += members.length;
  }

  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  for (const v of train.x) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSq += v * v;
  }
  const count = train.x.length;
  const mean = count ? sum / count : NaN;
  const std = count ? Math.sqrt(Math.max(0, sumSq / count - mean * mean)) : NaN;

  const stats: DatasetStats = {
    classCounts: classCounts(train.y, classNames),
    trainSize: n,
    duplicates,
    labelConflicts,
    inputMin: count ? min : NaN,
    inputMax: count ? max : NaN,
    inputMean: mean,
    inputStd: std,
  };
  if (val) {
    const valBits = bitsOf(val.x);
    let overlap = 0;
    for (let i = 0; i < val.y.length; i++) if (index.find(valBits, i) >= 0) overlap++;
    stats.valClassCounts = classCounts(val.y, classNames);
    stats.valSize = val.y.length;
    stats.trainValOverlap = overlap;
  }
  return stats;
}
