/**
 * Example fingerprints for the duplicate, near-duplicate, leakage and conflict checks. Pure.
 * - exact: the input's float bits (−0 read as 0), FNV-1a, collisions resolved by comparing the values;
 * - rounded rows: every value to ROUND_SIGNIFICANT significant digits, then exact;
 * - images: a perceptual hash (random-hyperplane SimHash of a COARSE × COARSE grey thumbnail, in bands) finds
 *   candidate pairs; a pair is near when the grey images (at most FINE_SIDE² pixels, mean removed) correlate at
 *   NEAR_CORRELATION or more. A copy with noise, a brightness change or recompression stays above 0.99; two different
 *   handwritten ones (MNIST's closest pairs: 0.987) do not. A dHash at 8 of 256 bits called thousands of them copies.
 */
import { createRng } from '../jobs/rng.ts';

/** Significant digits rows are rounded to before comparing them as near duplicates. */
export const ROUND_SIGNIFICANT = 3;
/** Side of the thumbnail the perceptual hash is computed on. */
export const COARSE = 16;
/** Bands of the hash, and bits a band: a pair whose thumbnails correlate at 0.995 shares some band with probability 0.9994; two distinct MNIST digits rarely do (10,000 digits: 0.5 s of candidate checks). */
const BANDS = 12;
const BAND_BITS = 24;

function fnv(bits: Uint32Array, start: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < start + len; i++) h = Math.imul(h ^ bits[i]!, 0x01000193) >>> 0;
  return h;
}

/** Rows of `x` (n × f) as 32-bit words, −0 → 0 and every NaN alike. */
export function rowBits(x: Float32Array): Uint32Array {
  const copy = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    copy[i] = v === 0 ? 0 : v !== v ? NaN : v;
  }
  return new Uint32Array(copy.buffer);
}

/** Rows rounded to `digits` significant digits, as words. */
export function roundedBits(x: Float32Array, digits = ROUND_SIGNIFICANT): Uint32Array {
  const r = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v === 0 || !Number.isFinite(v)) {
      r[i] = v === 0 ? 0 : v;
      continue;
    }
    const e = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(v))));
    const out = Math.round(v * e) / e;
    r[i] = out === 0 ? 0 : out;
  }
  return new Uint32Array(r.buffer);
}

/**
 * Groups of identical rows among `indices` (default all): each group lists ≥ 2 example indices, in order.
 * `bits` is rowBits or roundedBits of the table's x.
 */
export function identicalGroups(bits: Uint32Array, f: number, indices?: ArrayLike<number>): number[][] {
  const n = indices ? indices.length : bits.length / f;
  const buckets = new Map<number, number[][]>();
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k]! : k;
    const h = fnv(bits, i * f, f);
    let groups = buckets.get(h);
    if (!groups) buckets.set(h, (groups = []));
    const g = groups.find((members) => equalRows(bits, members[0]!, i, f));
    if (g) g.push(i);
    else groups.push([i]);
  }
  const out: number[][] = [];
  for (const groups of buckets.values()) for (const g of groups) if (g.length > 1) out.push(g);
  return out.sort((a, b) => a[0]! - b[0]!);
}

function equalRows(bits: Uint32Array, a: number, b: number, f: number): boolean {
  for (let j = 0; j < f; j++) if (bits[a * f + j] !== bits[b * f + j]) return false;
  return true;
}

/** Correlation of two images (grey, at most FINE_SIDE² pixels, mean removed) from which they count as near duplicates. */
export const NEAR_CORRELATION = 0.99;
/** Images are compared at most this many pixels a side (box-averaged down when larger). */
export const FINE_SIDE = 32;

/**
 * Largest band bucket searched: a bucket this full is one look shared by thousands of images (blank frames), whose
 * pairs another band separates; skipping it bounds the work at MAX_BUCKET² comparisons a bucket.
 */
export const MAX_BUCKET = 500;

export interface ImageFingerprints {
  n: number;
  /** Grey images at ≤ FINE_SIDE² pixels, mean removed and scaled to unit length: a dot product is a correlation. */
  fine: Float32Array;
  fineSize: number;
  /** Band keys: n × BANDS. */
  bands: Int32Array;
}

/** Box-averages image i (h × w × c) to a grey oh × ow grid. */
function grey(x: Float32Array, i: number, h: number, w: number, c: number, oh: number, ow: number, out: Float64Array): void {
  out.fill(0);
  const counts = new Float64Array(oh * ow);
  const f = h * w * c;
  const chans = Math.min(c, 3);
  for (let r = 0; r < h; r++) {
    const tr = Math.min(oh - 1, Math.floor((r * oh) / h));
    for (let col = 0; col < w; col++) {
      const tc = Math.min(ow - 1, Math.floor((col * ow) / w));
      let g = 0;
      const base = i * f + (r * w + col) * c;
      for (let ch = 0; ch < chans; ch++) g += x[base + ch]!;
      const v = g / chans;
      out[tr * ow + tc]! += Number.isFinite(v) ? v : 0;
      counts[tr * ow + tc]!++;
    }
  }
  for (let t = 0; t < out.length; t++) if (counts[t]! > 0) out[t]! /= counts[t]!;
}

/** Mean removed, unit length (a flat image stays all zeros). */
function unit(v: Float64Array, out: Float32Array, at: number): void {
  let s = 0;
  for (const a of v) s += a;
  const mu = s / v.length;
  let q = 0;
  for (const a of v) q += (a - mu) * (a - mu);
  const norm = q > 1e-12 ? Math.sqrt(q) : 1;
  for (let k = 0; k < v.length; k++) out[at + k] = (v[k]! - mu) / norm;
}

/** Fingerprints of every image; shape is [height, width, channels]. Fixed hyperplanes: the same input, the same keys. */
export function imageFingerprints(x: Float32Array, shape: number[]): ImageFingerprints {
  const [h, w, c] = [shape[0]!, shape[1]!, shape[2] ?? 1];
  const n = Math.floor(x.length / (h * w * c));
  const fh = Math.min(h, FINE_SIDE);
  const fw = Math.min(w, FINE_SIDE);
  const fineSize = fh * fw;
  const fine = new Float32Array(n * fineSize);
  const coarseSize = COARSE * COARSE;
  const rng = createRng(0x9e3779b9);
  const planes = new Float32Array(BANDS * BAND_BITS * coarseSize);
  for (let k = 0; k < planes.length; k++) planes[k] = rng.normal();
  const bands = new Int32Array(n * BANDS);
  const g1 = new Float64Array(fineSize);
  const g2 = new Float64Array(coarseSize);
  const coarse = new Float32Array(coarseSize);
  for (let i = 0; i < n; i++) {
    grey(x, i, h, w, c, fh, fw, g1);
    unit(g1, fine, i * fineSize);
    grey(x, i, h, w, c, COARSE, COARSE, g2);
    unit(g2, coarse, 0);
    for (let b = 0; b < BANDS; b++) {
      let key = 0;
      for (let bit = 0; bit < BAND_BITS; bit++) {
        const p = (b * BAND_BITS + bit) * coarseSize;
        let s = 0;
        for (let k = 0; k < coarseSize; k++) s += planes[p + k]! * coarse[k]!;
        if (s > 0) key |= 1 << bit;
      }
      bands[i * BANDS + b] = key;
    }
  }
  return { n, fine, fineSize, bands };
}

/** Correlation of images a and b (their fine fingerprints' dot product). */
export function correlation(fp: ImageFingerprints, a: number, b: number): number {
  const m = fp.fineSize;
  let s = 0;
  for (let k = 0; k < m; k++) s += fp.fine[a * m + k]! * fp.fine[b * m + k]!;
  return s;
}

/**
 * Pairs [a, b] of near-identical images (correlation ≥ NEAR_CORRELATION): a from `left`, b from `right`, or both from
 * `left` (a < b) when right is omitted. Candidates share a band; each pair is verified once, in the first band the
 * two share.
 */
export function nearImagePairs(fp: ImageFingerprints, left: ArrayLike<number>, right?: ArrayLike<number>): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  const consider = (i: number, j: number, band: number) => {
    for (let b = 0; b < band; b++) if (fp.bands[i * BANDS + b] === fp.bands[j * BANDS + b]) return;
    if (correlation(fp, i, j) >= NEAR_CORRELATION) pairs.push(right || i < j ? [i, j] : [j, i]);
  };
  for (let band = 0; band < BANDS; band++) {
    const buckets = new Map<number, number[]>();
    for (let k = 0; k < left.length; k++) {
      const i = left[k]!;
      const key = fp.bands[i * BANDS + band]!;
      const bucket = buckets.get(key);
      if (bucket) bucket.push(i);
      else buckets.set(key, [i]);
    }
    if (right) {
      for (let k = 0; k < right.length; k++) {
        const j = right[k]!;
        const bucket = buckets.get(fp.bands[j * BANDS + band]!);
        if (bucket && bucket.length <= MAX_BUCKET) for (const i of bucket) consider(i, j, band);
      }
    } else {
      for (const bucket of buckets.values()) {
        if (bucket.length > MAX_BUCKET) continue;
        for (let p = 0; p < bucket.length; p++) for (let q = p + 1; q < bucket.length; q++) consider(bucket[p]!, bucket[q]!, band);
      }
    }
  }
  return pairs;
}

/** Connected groups of the pairs (union-find), each ≥ 2 members, sorted. */
export function groupsOfPairs(pairs: Array<[number, number]>): number[][] {
  const parent = new Map<number, number>();
  const find = (a: number): number => {
    let r = a;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(a, r);
    return r;
  };
  for (const [a, b] of pairs) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
  const groups = new Map<number, number[]>();
  for (const a of parent.keys()) {
    const r = find(a);
    const g = groups.get(r);
    if (g) g.push(a);
    else groups.set(r, [a]);
  }
  return [...groups.values()].map((g) => g.sort((x, y) => x - y)).sort((a, b) => a[0]! - b[0]!);
}
