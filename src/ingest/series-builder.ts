import type { Cadence, RunLog, Series } from '../domain/run.ts';
import { normaliseMetricName } from './metric-names.ts';

interface Chunk {
  steps: Float64Array;
  epochs: Float64Array | null;
  wallTimes: Float64Array | null;
  values: Float64Array;
}

interface Column {
  name: string;
  /** Whole columns added by `addColumn`, in order, before the pending points below. */
  chunks: Chunk[];
  steps: number[];
  epochs: number[];
  wallTimes: number[];
  values: number[];
}

/**
 * Collects raw (name, step, epoch, time, value) observations in file order and turns them into normalised Series.
 * Shared by every parser so that normalisation, percent scaling and the test-as-validation rule are done once.
 */
export class SeriesBuilder {
  private readonly columns = new Map<string, Column>();
  private readonly cadences = new Map<string, Cadence>();
  private readonly keyNames = new Map<string, string>();

  private column(rawName: string): Column {
    let col = this.columns.get(rawName);
    if (!col) {
      col = { name: rawName, chunks: [], steps: [], epochs: [], wallTimes: [], values: [] };
      this.columns.set(rawName, col);
    }
    return col;
  }

  /** `cadence` overrides the guess for this raw name (e.g. Lightning's `_step` columns). */
  add(rawName: string, step: number, value: number, epoch = NaN, wallTime = NaN, cadence?: Cadence): void {
    const col = this.column(rawName);
    col.steps.push(step);
    col.epochs.push(epoch);
    col.wallTimes.push(wallTime);
    col.values.push(value);
    if (cadence) this.cadences.set(rawName, cadence);
  }

  /**
   * Adds many points of one raw name at once (columnar parsers: a million-row CSV should not go through `add`).
   * The arrays are taken as they are, not copied; all have the same length. `keyName`: the name to normalise instead
   * of the raw name (a table header's `Train Acc (%)` is the metric `Train Acc`); the raw name stays the series' name.
   */
  addColumn(
    rawName: string,
    steps: Float64Array,
    values: Float64Array,
    epochs: Float64Array | null = null,
    wallTimes: Float64Array | null = null,
    cadence?: Cadence,
    keyName?: string,
  ): void {
    const col = this.column(rawName);
    flushPending(col);
    col.chunks.push({ steps, epochs, wallTimes, values });
    if (cadence) this.cadences.set(rawName, cadence);
    if (keyName !== undefined && keyName !== rawName) this.keyNames.set(rawName, keyName);
  }

  get size(): number {
    let n = 0;
    for (const c of this.columns.values()) {
      n += c.values.length;
      for (const ch of c.chunks) n += ch.values.length;
    }
    return n;
  }

  /** Builds the series. `defaultCadence` applies to names without an explicit cadence. */
  build(defaultCadence: Cadence, notes: string[]): Series[] {
    const out: Series[] = [];
    for (const col of this.columns.values()) {
      flushPending(col);
      const merged = mergeChunks(col.chunks);
      if (!merged || merged.values.length === 0) continue;
      const m = normaliseMetricName(this.keyNames.get(col.name) ?? col.name);
      let values = merged.values;
      if (m.key === 'accuracy' && looksLikePercent(values)) {
        values = values.map((v) => v / 100);
        notes.push(`${col.name}: values above 1 read as percent and scaled to 0–1`);
      }
      out.push({
        key: m.key,
        split: m.split,
        name: col.name,
        direction: m.direction,
        cadence: this.cadences.get(col.name) ?? defaultCadence,
        steps: merged.steps,
        epochs: merged.epochs && merged.epochs.some((e) => !Number.isNaN(e)) ? merged.epochs : null,
        wallTimes: merged.wallTimes && merged.wallTimes.some((t) => !Number.isNaN(t)) ? merged.wallTimes : null,
        values,
      });
    }
    return useTestAsValidation(out, notes);
  }
}

function flushPending(col: Column): void {
  if (col.values.length === 0) return;
  col.chunks.push({
    steps: Float64Array.from(col.steps),
    epochs: Float64Array.from(col.epochs),
    wallTimes: Float64Array.from(col.wallTimes),
    values: Float64Array.from(col.values),
  });
  col.steps = [];
  col.epochs = [];
  col.wallTimes = [];
  col.values = [];
}

function mergeChunks(chunks: Chunk[]): Chunk | null {
  if (chunks.length === 0) return null;
  if (chunks.length === 1) return chunks[0]!;
  const n = chunks.reduce((a, c) => a + c.values.length, 0);
  const concat = (pick: (c: Chunk) => Float64Array | null): Float64Array | null => {
    if (chunks.every((c) => pick(c) === null)) return null;
    const out = new Float64Array(n);
    let at = 0;
    for (const c of chunks) {
      const a = pick(c);
      if (a) out.set(a, at);
      else out.fill(NaN, at, at + c.values.length);
      at += c.values.length;
    }
    return out;
  };
  return {
    steps: concat((c) => c.steps)!,
    epochs: concat((c) => c.epochs),
    wallTimes: concat((c) => c.wallTimes),
    values: concat((c) => c.values)!,
  };
}

/** An accuracy column whose largest finite value is in (1, 100] is in percent (file ingest and pushed runs share this rule). */
export function looksLikePercent(values: Float64Array): boolean {
  // An indexed loop (a Float64Array's iterator costs ~30 ms per million values); NaN fails both comparisons.
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > max && v !== Infinity) max = v;
  }
  return max > 1 && max <= 100;
}

/** `test_*` stays test; only when no validation series exists at all is it also used as validation, saying so. */
export function useTestAsValidation(series: Series[], notes: string[]): Series[] {
  if (series.some((s) => s.split === 'val')) return series;
  const tests = series.filter((s) => s.split === 'test');
  if (tests.length === 0) return series;
  notes.push(`no validation series: ${tests.map((s) => s.name).join(', ')} used as validation`);
  return series.map((s) => (s.split === 'test' ? { ...s, split: 'val' as const } : s));
}

/** Counts all points of a run log. */
export function countPoints(log: Pick<RunLog, 'series'>): number {
  let n = 0;
  for (const s of log.series) n += s.values.length;
  return n;
}
