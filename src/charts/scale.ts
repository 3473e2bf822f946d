/** Axis ranges chosen before drawing, so mark labels can be placed in pixels and tests can read the decision. */

export interface AxisScale {
  type: 'value' | 'log';
  min: number;
  max: number;
  /** Tick spacing for linear axes (undefined for log axes: ECharts puts ticks at powers of ten). */
  interval?: number;
  /** False when there was no finite value to scale to (the range is a placeholder). */
  hasData: boolean;
}

export interface ScaleOptions {
  /** Consider a log axis (loss, learning rate): used when the positive values span more than `logDecades`. */
  allowLog?: boolean;
  logDecades?: number;
  /** Clamp the padded range inside these bounds when the data lies inside them (accuracy: [0, 1]). */
  bounds?: [number, number];
  ticks?: number;
}

/** Smallest, largest and smallest positive finite value (±Infinity when there is none). */
export interface Extent {
  min: number;
  max: number;
  minPositive: number;
}

export function mergeExtents(extents: readonly Extent[]): Extent {
  return {
    min: Math.min(Infinity, ...extents.map((e) => e.min)),
    max: Math.max(-Infinity, ...extents.map((e) => e.max)),
    minPositive: Math.min(Infinity, ...extents.map((e) => e.minPositive)),
  };
}

export function extentOf(arrays: ReadonlyArray<ArrayLike<number>>): Extent {
  let min = Infinity;
  let max = -Infinity;
  let minPositive = Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
      if (v > 0 && v < minPositive) minPositive = v;
    }
  }
  return { min, max, minPositive };
}

/** Lowest end of a log axis: values below it (denormals) are drawn on the axis floor, as zeros are. */
const LOG_FLOOR = 1e-300;

/** A y scale covering every finite value of an extent. */
export function chooseYScale(extent: Extent, opts: ScaleOptions = {}): AxisScale {
  const { min, max, minPositive } = extent;
  if (!Number.isFinite(min)) return { type: 'value', min: 0, max: 1, interval: 0.25, hasData: false };
  const decades = opts.logDecades ?? 2;
  // Zeros (a loss logged as exactly 0.0) are drawn at the floor of a log axis; negatives rule it out.
  if (opts.allowLog && min >= 0 && Number.isFinite(minPositive) && max / minPositive > 10 ** decades) {
    return {
      type: 'log',
      // log10(0.001) is -2.9999999999999996: round off float noise before flooring, or 1e-3 gets an extra decade.
      // Denormals (5e-324) would floor to 10^-324 = 0, whose log is -Infinity: the axis stops at LOG_FLOOR.
      min: clean(10 ** Math.floor(Math.log10(Math.max(minPositive, LOG_FLOOR)) + 1e-6)),
      max: clean(10 ** Math.ceil(Math.log10(max) - 1e-6)),
      hasData: true,
    };
  }
  return niceLinear(min, max, opts.ticks ?? 4, opts.bounds);
}

/** A linear range with round ends and 3–6 ticks, padded a little so lines do not touch the frame. */
export function niceLinear(min: number, max: number, ticks = 4, bounds?: [number, number]): AxisScale {
  let lo = min;
  let hi = max;
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  } else {
    const pad = (hi - lo) * 0.04;
    lo -= pad;
    hi += pad;
  }
  if (min >= 0 && lo < 0) lo = 0;
  if (bounds) {
    if (min >= bounds[0] && lo < bounds[0]) lo = bounds[0];
    if (max <= bounds[1] && hi > bounds[1]) hi = bounds[1];
  }
  const interval = niceStep((hi - lo) / ticks);
  if (!(interval >= MIN_INTERVAL)) {
    // ECharts rounds axis values to at most 20 decimals, so a narrower range collapses to a point (and its lines
    // land thousands of pixels away). Values that small read as zero: the axis reaches from zero instead.
    const a = Math.min(0, min);
    const b = Math.max(0, max);
    if (b - a >= MIN_INTERVAL * ticks * 4 && (a !== min || b !== max)) return niceLinear(a, b, ticks, bounds);
    return { type: 'value', min: max <= 0 && min < 0 ? -1 : 0, max: max <= 0 && min < 0 ? 0 : 1, interval: 0.25, hasData: true };
  }
  return { type: 'value', min: floorTo(lo, interval), max: ceilTo(hi, interval), interval, hasData: true };
}

/** Smallest tick interval of a linear axis (see niceLinear). */
const MIN_INTERVAL = 1e-15;

/** 1, 2, 2.5 or 5 times a power of ten, closest above `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const e = Math.floor(Math.log10(raw));
  const base = 10 ** e;
  const f = raw / base;
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return m * base;
}

function floorTo(v: number, step: number): number {
  return clean(Math.floor(v / step + 1e-9) * step);
}

function ceilTo(v: number, step: number): number {
  return clean(Math.ceil(v / step - 1e-9) * step);
}

/** Removes float noise (0.30000000000000004) so axis labels print round. */
function clean(v: number): number {
  return Number(v.toPrecision(12));
}

/** Pixel position of a value on an axis spanning [p0, p1] pixels (p1 may be smaller: y grows downward). */
export function toPixel(scale: AxisScale, v: number, p0: number, p1: number): number {
  let t: number;
  if (scale.type === 'log') {
    const lv = Math.log10(Math.max(v, scale.min));
    t = (lv - Math.log10(scale.min)) / (Math.log10(scale.max) - Math.log10(scale.min));
  } else {
    t = (v - scale.min) / (scale.max - scale.min);
  }
  return p0 + t * (p1 - p0);
}

/**
 * The q-quantile of the positive finite values, from at most ~2,000 evenly spaced samples (a display decision,
 * not a statistic: sorting a million-point column for it would cost more than the chart).
 */
export function sampledPositiveQuantile(values: ArrayLike<number>, q: number): number {
  const stride = Math.max(1, Math.floor(values.length / 2000));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += stride) {
    const v = values[i]!;
    if (Number.isFinite(v) && v > 0) sample.push(v);
  }
  if (sample.length === 0) return NaN;
  sample.sort((a, b) => a - b);
  return sample[Math.min(sample.length - 1, Math.floor(q * sample.length))]!;
}

/**
 * Log axes are drawn as linear axes over log10(y): ECharts' own log axis picks its decade ticks by itself (8 decades
 * apart on a thin panel), while a linear axis takes the tick interval planned here. These map values and the range.
 */
export function toDrawn(scale: AxisScale, v: number): number {
  return scale.type === 'log' ? Math.log10(Math.max(v, scale.min)) : v;
}

/** The ECharts value-axis range and interval of a scale, in drawing space, with one tick per `everyDecades`. */
export function drawnAxis(scale: AxisScale, everyDecades = 1): { min: number; max: number; interval?: number } {
  if (scale.type !== 'log') return { min: scale.min, max: scale.max, interval: scale.interval };
  return { min: Math.round(Math.log10(scale.min)), max: Math.round(Math.log10(scale.max)), interval: everyDecades };
}

/** Axis label of a drawn value: 10^v on a log axis. */
export function drawnLabel(scale: AxisScale, format: (v: number) => string): (v: number) => string {
  return scale.type === 'log' ? (v) => format(Number((10 ** v).toPrecision(6))) : format;
}
