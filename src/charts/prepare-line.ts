import type { Series } from '../domain/run.ts';
import { drawBand, toClippedLineData, type LinePoint } from './drawable.ts';
import { lttbIndices, nonFiniteRuns } from './lttb.ts';
import { drawnAxis, type AxisScale, type Extent } from './scale.ts';
import { displaySpan, emaSampled, isNoisy } from './smooth.ts';

/** Points per drawn line: about two per pixel column of a 800 px chart, so nothing visible is lost. */
export const DEFAULT_MAX_POINTS = 1500;

export type { LinePoint } from './drawable.ts';

export interface NonFiniteMarker {
  x: number;
  /** Index of the run's first non-finite value in the series. */
  index: number;
  /** What the run of bad values holds: 'NaN', 'Inf' or 'NaN/Inf'. */
  kind: string;
  count: number;
}

/** A downsampled line: x and y of the points to draw (y may be NaN/±Infinity: a gap). */
export interface DrawnPoints {
  x: Float64Array;
  y: Float64Array;
}

/** One series reduced to what gets drawn. */
export interface PreparedLine {
  /** The faint raw line, for noisy series only. */
  raw: DrawnPoints | null;
  /** The bold line: the EMA for noisy series, the values otherwise. */
  main: DrawnPoints;
  smoothed: boolean;
  nonFinite: NonFiniteMarker[];
  /** Extent of the finite values of the whole series (before downsampling: spikes count). */
  extent: { min: number; max: number; minPositive: number };
  /** Points in the source series. */
  points: number;
}

export interface PrepareOptions {
  maxPoints?: number;
  /** Most NaN markers drawn per series (runs beyond that are merged into their neighbours). */
  maxMarkers?: number;
  /** Never smooth (a learning-rate schedule is exact, not noisy). */
  exact?: boolean;
  /** The y scale the line is drawn on: a log axis gets a geometric EMA (a mean of logs), as the eye reads it. */
  scale?: AxisScale;
  /** `scanValues(s.values)`, when the caller has it already. */
  scan?: ValueScan;
}

export interface ValueScan {
  extent: Extent;
  /** Half-open index ranges of runs of NaN/±Infinity. */
  gaps: Array<[number, number]>;
}

/**
 * Downsamples a series for drawing. LTTB runs on the series' own steps (monotone in x, already in memory) and only
 * the chosen points are placed on the x axis by `xAt`.
 */
export function prepareLine(s: Series, xAt: (i: number) => number, opts: PrepareOptions = {}): PreparedLine {
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  const values = s.values;
  const n = values.length;
  const smoothed = !opts.exact && ((s.cadence === 'step' && n >= 50) || isNoisy(values));
  const { extent, gaps } = opts.scan ?? scanValues(values);
  let raw: DrawnPoints | null = null;
  let main: DrawnPoints;
  if (smoothed) {
    raw = pick(values, lttbIndices(s.steps, values, maxPoints, gaps), xAt);
    const ema = emaSampled(values, displaySpan(n), maxPoints, opts.scale?.type === 'log' ? opts.scale.min : undefined);
    main = { x: Float64Array.from(ema.indices, (i) => xAt(i)), y: ema.values };
  } else {
    main = pick(values, lttbIndices(s.steps, values, maxPoints, gaps), xAt);
  }
  return {
    raw,
    main,
    smoothed,
    nonFinite: nonFiniteMarkers(values, xAt, opts.maxMarkers ?? 40, gaps),
    extent,
    points: n,
  };
}

/** Extent of the finite values and the runs of non-finite ones, in one pass. */
export function scanValues(values: Float64Array): ValueScan {
  let min = Infinity;
  let max = -Infinity;
  let minPositive = Infinity;
  const gaps: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v === 0) {
      if (start >= 0) {
        gaps.push([start, i]);
        start = -1;
      }
      if (v < min) min = v;
      if (v > max) max = v;
      if (v > 0 && v < minPositive) minPositive = v;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) gaps.push([start, values.length]);
  return { extent: { min, max, minPositive }, gaps };
}

function pick(values: Float64Array, indices: Uint32Array, xAt: (i: number) => number): DrawnPoints {
  const x = new Float64Array(indices.length);
  const y = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    x[k] = xAt(indices[k]!);
    y[k] = values[indices[k]!]!;
  }
  return { x, y };
}

/** One marker per run of non-finite values, at most `max` of them (evenly chosen, counts merged). */
export function nonFiniteMarkers(
  values: ArrayLike<number>,
  xAt: (i: number) => number,
  max: number,
  runs: Array<[number, number]> = nonFiniteRuns(values),
): NonFiniteMarker[] {
  const markers = runs.map(([a, b]) => {
    let nan = false;
    let inf = false;
    for (let i = a; i < b; i++) {
      if (Number.isNaN(values[i])) nan = true;
      else inf = true;
    }
    return { x: xAt(a), index: a, kind: nan && inf ? 'NaN/Inf' : nan ? 'NaN' : 'Inf', count: b - a };
  });
  if (markers.length <= max) return markers;
  const out: NonFiniteMarker[] = [];
  const per = markers.length / max;
  for (let k = 0; k < max; k++) {
    const group = markers.slice(Math.floor(k * per), Math.floor((k + 1) * per));
    const kinds = new Set(group.map((m) => m.kind));
    out.push({
      x: group[0]!.x,
      index: group[0]!.index,
      kind: kinds.size === 1 ? group[0]!.kind : 'NaN/Inf',
      count: group.reduce((sum, m) => sum + m.count, 0),
    });
  }
  return out;
}

/**
 * ECharts data for drawn points. Non-finite values become gaps; on a log axis values at or below zero are drawn on
 * the axis floor (a loss logged as exactly 0.0 stays visible instead of vanishing); log values are drawn as log10.
 * Segments are clipped to a band around the axis range (drawable.ts), so no coordinate lands where resvg fails.
 */
export function toLineData(points: DrawnPoints, scale: AxisScale): LinePoint[] {
  const log = scale.type === 'log';
  const floor = log ? scale.min : -Infinity;
  const n = points.x.length;
  // On a log axis the data is drawn as log10(y) over a linear axis (see toDrawn in scale.ts).
  const ys = log ? new Float64Array(n) : points.y;
  if (log) {
    for (let k = 0; k < n; k++) {
      const v = points.y[k]!;
      ys[k] = Number.isFinite(v) ? Math.log10(Math.max(v, floor)) : NaN;
    }
  }
  const axis = drawnAxis(scale);
  const band = drawBand(axis.min, axis.max);
  return toClippedLineData(points.x, ys, band.lo, band.hi);
}
