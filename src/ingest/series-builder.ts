import type { Cadence, RunLog, Series } from '../domain/run.ts';
import { normaliseMetricName } from './metric-names.ts';

interface Column {
  name: string;
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

  /** `cadence` overrides the guess for this raw name (e.g. Lightning's `_step` columns). */
  add(rawName: string, step: number, value: number, epoch = NaN, wallTime = NaN, cadence?: Cadence): void {
    let col = this.columns.get(rawName);
    if (!col) {
      col = { name: rawName, steps: [], epochs: [], wallTimes: [], values: [] };
      this.columns.set(rawName, col);
    }
    col.steps.push(step);
    col.epochs.push(epoch);
    col.wallTimes.push(wallTime);
    col.values.push(value);
    if (cadence) this.cadences.set(rawName, cadence);
  }

  get size(): number {
    let n = 0;
    for (const c of this.columns.values()) n += c.values.length;
    return n;
  }

  /** Builds the series. `defaultCadence` applies to names without an explicit cadence. */
  build(defaultCadence: Cadence, notes: string[]): Series[] {
    const out: Series[] = [];
    for (const col of this.columns.values()) {
      if (col.values.length === 0) continue;
      const m = normaliseMetricName(col.name);
      const values = Float64Array.from(col.values);
      if (m.key === 'accuracy' && looksLikePercent(values)) {
        for (let i = 0; i < values.length; i++) values[i] /= 100;
        notes.push(`${col.name}: values above 1 read as percent and scaled to 0–1`);
      }
      const hasEpochs = col.epochs.some((e) => !Number.isNaN(e));
      const hasTimes = col.wallTimes.some((t) => !Number.isNaN(t));
      out.push({
        key: m.key,
        split: m.split,
        name: col.name,
        direction: m.direction,
        cadence: this.cadences.get(col.name) ?? defaultCadence,
        steps: Float64Array.from(col.steps),
        epochs: hasEpochs ? Float64Array.from(col.epochs) : null,
        wallTimes: hasTimes ? Float64Array.from(col.wallTimes) : null,
        values,
      });
    }
    return useTestAsValidation(out, notes);
  }
}

function looksLikePercent(values: Float64Array): boolean {
  let max = -Infinity;
  for (const v of values) if (Number.isFinite(v) && v > max) max = v;
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

/** The number of epochs a run covers: the largest epoch seen (+1 when epochs are 0-based integers), or null. */
export function countEpochs(series: Series[]): number | null {
  let max = -Infinity;
  let zeroBased = false;
  let any = false;
  for (const s of series) {
    if (s.epochs) {
      for (const e of s.epochs) {
        if (Number.isNaN(e)) continue;
        any = true;
        if (e === 0) zeroBased = true;
        if (e > max) max = e;
      }
    } else if (s.cadence === 'epoch') {
      any = true;
      if (s.steps.length && s.steps[0] === 0) zeroBased = true;
      for (const st of s.steps) if (st > max) max = st;
    }
  }
  if (!any || !Number.isFinite(max)) return null;
  return Math.round(zeroBased ? max + 1 : max);
}
