/**
 * Turning stored chunks back into series, for both run stores (SQLite and PostgreSQL hold the same chunk rows; only how
 * they are fetched differs):
 * - sharedColumns: one step (and epoch) array per distinct column, series logged together sharing it, told apart by
 *   their chunk lengths and small arithmetic blobs without reading any large blob;
 * - assembleSeries: the chunks decoded into those arrays and the values, in order;
 * - mergeTail: a series' small tail chunks and newly appended points as one series, to be written back as full chunks.
 */
import type { Series } from '../domain/run.ts';
import { decodeColumnInto } from './column-codec.ts';

/** The series row both stores keep. */
export interface StoredSeriesRow {
  idx: number;
  key: string;
  split: string;
  name: string;
  direction: string;
  cadence: string;
  points: number;
}

/** A chunk row; a column left out of the fetch (not decoded) may be null. */
export interface StoredChunk {
  series_idx?: number;
  n: number;
  steps: Uint8Array | null;
  epochs: Uint8Array | null;
  wall_times: Uint8Array | null;
  vals: Uint8Array;
}

/** A chunk's column signature: its length, and its steps/epochs blob when small (null when large: not shareable). */
export interface ChunkSignature {
  series_idx: number;
  n: number;
  s: Uint8Array | null;
  sBig: boolean;
  e: Uint8Array | null;
  eBig: boolean;
  eNull: boolean;
}

export interface SharedColumn {
  array: Float64Array;
  /** True for the one series that fills a shared array. */
  decode: boolean;
}

export interface SeriesColumns {
  steps: SharedColumn;
  epochs: SharedColumn | null;
}

/**
 * Allocates the step and epoch arrays of a run, one array per distinct column: series logged together share their
 * steps (and Keras epochs equal steps), and a 5-million-point load spends most of its time touching fresh memory.
 */
export function sharedColumns(rows: readonly StoredSeriesRow[], signatures: Iterable<ChunkSignature>): Map<number, SeriesColumns> {
  const sigs = new Map<number, { steps: string[] | null; epochs: string[] | null; anyEpochs: boolean }>();
  for (const r of rows) sigs.set(r.idx, { steps: [], epochs: [], anyEpochs: false });
  const hex = (b: Uint8Array | null) => (b === null ? '-' : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
  for (const c of signatures) {
    const sig = sigs.get(c.series_idx);
    if (!sig) continue;
    if (c.sBig) sig.steps = null;
    else sig.steps?.push(`${c.n}:${hex(c.s)}`);
    if (!c.eNull) sig.anyEpochs = true;
    if (c.eBig) sig.epochs = null;
    else sig.epochs?.push(`${c.n}:${hex(c.e)}`);
  }
  const byKey = new Map<string, Float64Array>();
  const column = (points: number, parts: string[] | null, nanFill: boolean): SharedColumn => {
    const key = parts ? `${points}|${parts.join(',')}` : null;
    const existing = key ? byKey.get(key) : undefined;
    if (existing) return { array: existing, decode: false };
    const array = new Float64Array(points);
    if (nanFill) array.fill(NaN);
    if (key) byKey.set(key, array);
    return { array, decode: true };
  };
  const out = new Map<number, SeriesColumns>();
  for (const r of rows) {
    const sig = sigs.get(r.idx)!;
    // Epochs NaN-filled first: chunks without epochs (NULL) leave their range unknown.
    out.set(r.idx, { steps: column(r.points, sig.steps, false), epochs: sig.anyEpochs ? column(r.points, sig.epochs, true) : null });
  }
  return out;
}

/** Decodes a run's chunks (in series, then seq order) into the columns `sharedColumns` allocated. */
export function assembleSeries(runId: string, rows: readonly StoredSeriesRow[], columns: Map<number, SeriesColumns>, chunks: Iterable<StoredChunk>): Series[] {
  const a = new SeriesAssembler(runId, rows, columns);
  for (const c of chunks) a.add(c);
  return a.finish();
}

/**
 * assembleSeries one chunk at a time, for chunks that arrive as a stream (PostgreSQL's COPY): each is decoded when
 * added, so its bytes need not outlive the call.
 */
export class SeriesAssembler {
  private readonly out: { meta: StoredSeriesRow; filled: number; cols: SeriesColumns; wallTimes: Float64Array | null; values: Float64Array }[];
  private readonly byIdx: Map<number, SeriesAssembler['out'][number]>;

  constructor(
    private readonly runId: string,
    rows: readonly StoredSeriesRow[],
    columns: Map<number, SeriesColumns>,
  ) {
    this.out = rows.map((r) => ({ meta: r, filled: 0, cols: columns.get(r.idx)!, wallTimes: null, values: new Float64Array(r.points) }));
    this.byIdx = new Map(this.out.map((o) => [o.meta.idx, o]));
  }

  add(c: StoredChunk): void {
    const o = this.byIdx.get(c.series_idx!);
    if (!o) return;
    const at = o.filled;
    if (at + c.n > o.meta.points) throw new Error(`corrupt run ${this.runId}: series ${o.meta.name} has more points than recorded`);
    if (o.cols.steps.decode) decodeColumnInto(c.steps, c.n, o.cols.steps.array, at);
    if (o.cols.epochs?.decode) decodeColumnInto(c.epochs, c.n, o.cols.epochs.array, at);
    if (c.wall_times) decodeColumnInto(c.wall_times, c.n, (o.wallTimes ??= new Float64Array(o.meta.points).fill(NaN)), at);
    decodeColumnInto(c.vals, c.n, o.values, at);
    o.filled += c.n;
  }

  finish(): Series[] {
    return this.out.map((o) => ({
      key: o.meta.key,
      split: o.meta.split as Series['split'],
      name: o.meta.name,
      direction: o.meta.direction as Series['direction'],
      cadence: o.meta.cadence as Series['cadence'],
      steps: o.cols.steps.array,
      epochs: o.cols.epochs?.array ?? null,
      wallTimes: o.wallTimes,
      values: o.values,
    }));
  }
}

/**
 * The stored tail of a series (`tailPoints` points in `tail`'s chunks, in seq order) followed by the appended points
 * `s`, as one series; an epoch or wall-time column absent on both sides stays null.
 */
export function mergeTail(runId: string, seriesName: string, s: Series, tailPoints: number, tail: Iterable<StoredChunk>): Series {
  const m = tailPoints + s.values.length;
  const merged: Series = { ...s, steps: new Float64Array(m), epochs: new Float64Array(m), wallTimes: new Float64Array(m), values: new Float64Array(m) };
  let at = 0;
  let anyEpochs = s.epochs !== null;
  let anyTimes = s.wallTimes !== null;
  for (const c of tail) {
    decodeColumnInto(c.steps, c.n, merged.steps, at);
    decodeColumnInto(c.epochs, c.n, merged.epochs!, at);
    decodeColumnInto(c.wall_times, c.n, merged.wallTimes!, at);
    decodeColumnInto(c.vals, c.n, merged.values, at);
    anyEpochs ||= c.epochs !== null;
    anyTimes ||= c.wall_times !== null;
    at += c.n;
  }
  if (at !== tailPoints) throw new Error(`corrupt run ${runId}: the tail of series ${seriesName} changed while appending`);
  merged.steps.set(s.steps, at);
  merged.values.set(s.values, at);
  if (s.epochs) merged.epochs!.set(s.epochs, at);
  else merged.epochs!.fill(NaN, at);
  if (s.wallTimes) merged.wallTimes!.set(s.wallTimes, at);
  else merged.wallTimes!.fill(NaN, at);
  if (!anyEpochs) merged.epochs = null;
  if (!anyTimes) merged.wallTimes = null;
  return merged;
}

/** A parser bug, not user input: columns of one series must line up. */
export function checkColumns(s: Series): void {
  const n = s.values.length;
  if (s.steps.length !== n || (s.epochs && s.epochs.length !== n) || (s.wallTimes && s.wallTimes.length !== n)) {
    throw new Error(`series ${s.name}: columns have different lengths`);
  }
}

/**
 * The points of each series from index `from(idx)` on, out of the chunks that hold them (in series, then seq order,
 * each with the index of its first point, `start`): what a process knowing a series' first points lacks. A column no
 * chunk of the range has stays null.
 */
export function assembleSince(runId: string, rows: readonly StoredSeriesRow[], from: (idx: number) => number, chunks: Iterable<StoredChunk & { start: number }>): Series[] {
  const out = rows.map((r) => {
    const n = Math.max(0, r.points - from(r.idx));
    return { meta: r, from: from(r.idx), filled: 0, steps: new Float64Array(n), epochs: null as Float64Array | null, wallTimes: null as Float64Array | null, values: new Float64Array(n) };
  });
  const byIdx = new Map(out.map((o) => [o.meta.idx, o]));
  let scratch = new Float64Array(0);
  // Decodes one column of a chunk, its points before `skip` left out, at `at` in `into`.
  const put = (blob: Uint8Array | null, n: number, skip: number, into: Float64Array, at: number) => {
    if (skip === 0) return decodeColumnInto(blob, n, into, at);
    if (scratch.length < n) scratch = new Float64Array(n);
    decodeColumnInto(blob, n, scratch, 0);
    into.set(scratch.subarray(skip, n), at);
  };
  for (const c of chunks) {
    const o = byIdx.get(c.series_idx!);
    if (!o) continue;
    const skip = Math.max(0, o.from - c.start);
    const at = o.filled;
    const m = c.n - skip;
    if (m <= 0) continue;
    if (at + m > o.values.length) throw new Error(`corrupt run ${runId}: series ${o.meta.name} has more points than recorded`);
    put(c.steps, c.n, skip, o.steps, at);
    if (c.epochs) put(c.epochs, c.n, skip, (o.epochs ??= new Float64Array(o.values.length).fill(NaN)), at);
    if (c.wall_times) put(c.wall_times, c.n, skip, (o.wallTimes ??= new Float64Array(o.values.length).fill(NaN)), at);
    put(c.vals, c.n, skip, o.values, at);
    o.filled += m;
  }
  for (const o of out) if (o.filled !== o.values.length) throw new Error(`corrupt run ${runId}: series ${o.meta.name} has fewer points than recorded`);
  return out.map((o) => ({
    key: o.meta.key,
    split: o.meta.split as Series['split'],
    name: o.meta.name,
    direction: o.meta.direction as Series['direction'],
    cadence: o.meta.cadence as Series['cadence'],
    steps: o.steps,
    epochs: o.epochs,
    wallTimes: o.wallTimes,
    values: o.values,
  }));
}
