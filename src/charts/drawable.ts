/**
 * What may reach the SVG, decided in one place.
 *
 * resvg draws in f32 and answers some geometry with a Rust panic, which aborts the whole process (no exception to
 * catch): a clipped path lying entirely beyond about twice the canvas size panics in geom.rs (measured: a path at
 * y = 950 in a 450 px tall chart, at x = 1700 in an 800 px wide one). A loss of -1e308 among losses of ~1 produced
 * exactly that. So:
 *
 * - values and x positions beyond float32's range are not drawn as points: no f32/f16/bf16 training can write them,
 *   they are overflows in effect, and become ±Infinity, i.e. the same off-scale markers (▼ on the top edge, with a
 *   label) as NaN and Inf (`drawableSeries`);
 * - every drawn line is clipped to a band of half the plot's height around it (`toClippedLineData`), which keeps what
 *   is visible exactly as it was and keeps every coordinate inside the canvas's neighbourhood;
 * - the SVG is checked before it is rasterised (`assertRasterisable`): a coordinate resvg cannot take is a
 *   ChartError, which every face answers with the checklist and a sentence, never a dead process.
 */
import type { Series } from '../domain/run.ts';
import { ChartError } from './chart-error.ts';

/** Largest magnitude drawn as a value: float32's largest finite number. */
export const DRAWABLE_LIMIT = 3.4028234663852886e38;

/** Finite and within float32's range. */
export function isDrawable(v: number): boolean {
  return v >= -DRAWABLE_LIMIT && v <= DRAWABLE_LIMIT;
}

/**
 * The series as the charts draw it: values beyond float32's range become ±Infinity (drawn as off-scale markers),
 * epochs beyond it become unknown (NaN), and points whose step is not drawable are left out. The series itself is
 * returned when it needs none of that (one pass over the columns, no copy: the common case).
 */
export function drawableSeries(s: Series, clean: Set<Float64Array> = new Set()): Series {
  const values = s.values;
  const steps = s.steps;
  const n = values.length;
  const L = DRAWABLE_LIMIT;
  // One tight pass of comparisons (a million-point chart pays a few ms for it): a finite value beyond the limit, a
  // step that is not drawable, an epoch that is finite and beyond the limit.
  // Series of one log share their step and epoch columns: each column is checked once per chart (`clean`).
  let badValues = false;
  let badSteps = false;
  let badEpochs = false;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if ((v > L || v < -L) && v - v === 0) badValues = true;
  }
  if (!clean.has(steps)) {
    for (let i = 0; i < n; i++) {
      const st = steps[i]!;
      if (!(st >= -L && st <= L)) badSteps = true;
    }
    if (!badSteps) clean.add(steps);
  }
  const ep = s.epochs;
  if (ep && !clean.has(ep)) {
    for (let i = 0; i < ep.length; i++) {
      const e = ep[i]!;
      if ((e > L || e < -L) && e - e === 0) badEpochs = true;
    }
    if (!badEpochs) clean.add(ep);
  }
  if (!badValues && !badSteps && !badEpochs) return s;

  let keep: Uint32Array | null = null;
  if (badSteps) {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (isDrawable(steps[i]!)) idx.push(i);
    keep = Uint32Array.from(idx);
  }
  // Only the columns that change are copied: a ten-million-point loss with one -1e308 copies its values, not its steps.
  const take = (a: Float64Array) => (keep ? Float64Array.from(keep, (i) => a[i]!) : Float64Array.from(a));
  let drawn = values;
  if (keep || badValues) {
    drawn = take(values);
    for (let i = 0; i < drawn.length; i++) {
      const v = drawn[i]!;
      if (v - v === 0 && !isDrawable(v)) drawn[i] = v > 0 ? Infinity : -Infinity;
    }
  }
  let epochs = s.epochs;
  if (epochs && (keep || badEpochs)) {
    epochs = take(epochs);
    let known = 0;
    for (let i = 0; i < epochs.length; i++) {
      if (!isDrawable(epochs[i]!)) epochs[i] = NaN;
      else known++;
    }
    if (known === 0) epochs = null;
  }
  return {
    ...s,
    steps: keep ? take(steps) : steps,
    epochs,
    wallTimes: s.wallTimes && keep ? take(s.wallTimes) : s.wallTimes,
    values: drawn,
  };
}

/** Every series of a run made drawable (see drawableSeries); the same object when nothing needed it. */
export function drawableRun<R extends { series: Series[] }>(run: R): R {
  let changed = false;
  const clean = new Set<Float64Array>();
  const series = run.series.map((s) => {
    const d = drawableSeries(s, clean);
    if (d !== s) changed = true;
    return d;
  });
  return changed ? { ...run, series } : run;
}

/** The band lines are clipped to, in drawn units: the axis range widened by half of it on each side. */
export function drawBand(min: number, max: number): { lo: number; hi: number } {
  const span = max - min;
  const pad = Number.isFinite(span) && span > 0 ? span / 2 : Math.max(Math.abs(min), 1);
  return { lo: min - pad, hi: max + pad };
}

/** A gap in an ECharts line: the value '-' breaks the line instead of joining its neighbours. */
export type LinePoint = [number, number | '-'];

/**
 * ECharts line data from drawn coordinates (x, and y already in drawing space, e.g. log10 on a log axis): non-finite
 * y is a gap, and each segment is clipped to [lo, hi]. A segment leaving the band ends where it crosses the band's
 * edge and the line breaks until it comes back, so the visible part (inside the plot, which lies inside the band)
 * is drawn exactly as the unclipped segment would be.
 */
export function toClippedLineData(xs: ArrayLike<number>, ys: ArrayLike<number>, lo: number, hi: number): LinePoint[] {
  const out: LinePoint[] = [];
  const gap = (x: number) => {
    if (out.length > 0 && out[out.length - 1]![1] !== '-') out.push([x, '-']);
  };
  let px = NaN;
  let py = NaN;
  let havePrev = false;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    const y = ys[k]!;
    if (!(y - y === 0) || !(x - x === 0)) {
      out.push([Number.isFinite(x) ? x : px, '-']);
      havePrev = false;
      continue;
    }
    const inside = y >= lo && y <= hi;
    if (!havePrev) {
      if (inside) out.push([x, y]);
      else gap(x);
    } else {
      // Liang–Barsky on y only: t in [t0, t1] is the part of prev→this inside the band.
      let t0 = 0;
      let t1 = 1;
      const dy = y - py;
      if (dy === 0) {
        if (!(py >= lo && py <= hi)) t0 = 2;
      } else {
        const ta = (lo - py) / dy;
        const tb = (hi - py) / dy;
        t0 = Math.max(0, Math.min(ta, tb));
        t1 = Math.min(1, Math.max(ta, tb));
      }
      if (t0 > t1) {
        gap(x);
      } else {
        if (t0 > 0) {
          gap(x);
          out.push([px + t0 * (x - px), clampTo(py + t0 * dy, lo, hi)]);
        }
        if (t1 < 1) out.push([px + t1 * (x - px), clampTo(py + t1 * dy, lo, hi)]);
        else out.push([x, y]);
      }
    }
    px = x;
    py = y;
    havePrev = true;
  }
  return out;
}

function clampTo(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Refuses an SVG holding a coordinate resvg cannot take: a non-finite number, or a point outside
 * [-width, 2·width] × [-height, 2·height] (where resvg's clipping panics; see the header). Paths are followed
 * command by command (absolute and relative), with the element's translate/matrix transform applied.
 */
export function assertRasterisable(svg: string, width: number, height: number): void {
  const bad = findUndrawable(svg, width, height);
  if (bad) throw new ChartError(`the picture holds a coordinate the rasteriser cannot draw (${bad})`);
}

const ELEMENT = /<(path|polygon|polyline|rect|circle|ellipse|line|text|image|use)\b([^>]*)>/g;
const ATTR = /([a-zA-Z-]+)="([^"]*)"/g;
const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|NaN|Infinity/g;

/** A description of the first coordinate out of reach, or null when every one is fine. */
export function findUndrawable(svg: string, width: number, height: number): string | null {
  if (/\bNaN\b|Infinity/.test(svg.replace(/<text\b[^>]*>[^<]*<\/text>/g, (t) => t.slice(0, t.indexOf('>'))))) return 'NaN or Infinity';
  const xLo = -width;
  const xHi = 2 * width;
  const yLo = -height;
  const yHi = 2 * height;
  let m: RegExpExecArray | null;
  ELEMENT.lastIndex = 0;
  while ((m = ELEMENT.exec(svg))) {
    const attrs: Record<string, string> = {};
    let a: RegExpExecArray | null;
    ATTR.lastIndex = 0;
    while ((a = ATTR.exec(m[2]!))) attrs[a[1]!] = a[2]!;
    const t = affine(attrs.transform);
    if (!t) return `transform "${attrs.transform}"`;
    const check = (x: number, y: number): string | null => {
      const ax = t[0] * x + t[2] * y + t[4];
      const ay = t[1] * x + t[3] * y + t[5];
      return ax >= xLo && ax <= xHi && ay >= yLo && ay <= yHi ? null : `${m![1]} at (${ax}, ${ay})`;
    };
    const points: Array<[number, number]> = [];
    if (attrs.d !== undefined && m[1] === 'path') {
      const pts = pathPoints(attrs.d);
      if (!pts) return `path data "${attrs.d.slice(0, 60)}"`;
      points.push(...pts);
    }
    if (attrs.points !== undefined) {
      const nums = numbers(attrs.points);
      for (let i = 0; i + 1 < nums.length; i += 2) points.push([nums[i]!, nums[i + 1]!]);
    }
    for (const [kx, ky] of [['x', 'y'], ['x1', 'y1'], ['x2', 'y2'], ['cx', 'cy']] as const) {
      if (attrs[kx] !== undefined || attrs[ky] !== undefined) points.push([Number(attrs[kx] ?? 0), Number(attrs[ky] ?? 0)]);
    }
    if (points.length === 0 && (attrs.transform !== undefined)) points.push([0, 0]);
    for (const [x, y] of points) {
      const problem = check(x, y);
      if (problem) return problem;
    }
  }
  return null;
}

function numbers(s: string): number[] {
  return (s.match(NUMBER) ?? []).map(Number);
}

/** [a, b, c, d, e, f] of an SVG transform made of translate/matrix/scale/rotate(0); null for anything else. */
function affine(transform: string | undefined): [number, number, number, number, number, number] | null {
  let t: [number, number, number, number, number, number] = [1, 0, 0, 1, 0, 0];
  if (!transform) return t;
  const re = /(\w+)\s*\(([^)]*)\)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(transform))) {
    const n = numbers(m[2]!);
    let u: [number, number, number, number, number, number];
    if (m[1] === 'matrix' && n.length === 6) u = n as typeof u;
    else if (m[1] === 'translate') u = [1, 0, 0, 1, n[0] ?? 0, n[1] ?? 0];
    else if (m[1] === 'scale') u = [n[0] ?? 1, 0, 0, n[1] ?? n[0] ?? 1, 0, 0];
    else if (m[1] === 'rotate' && n.length === 1) {
      const r = ((n[0] ?? 0) * Math.PI) / 180;
      u = [Math.cos(r), Math.sin(r), -Math.sin(r), Math.cos(r), 0, 0];
    } else return null;
    // t · u: u applies first.
    t = [t[0] * u[0] + t[2] * u[1], t[1] * u[0] + t[3] * u[1], t[0] * u[2] + t[2] * u[3], t[1] * u[2] + t[3] * u[3], t[0] * u[4] + t[2] * u[5] + t[4], t[1] * u[4] + t[3] * u[5] + t[5]];
    if (!t.every(Number.isFinite)) return null;
  }
  return t;
}

/** Every end point (and control point) of a path, in the path's own coordinates; null when the data is unreadable. */
function pathPoints(d: string): Array<[number, number]> | null {
  const out: Array<[number, number]> = [];
  const tokens = d.match(/[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g) ?? [];
  const ARGS: Record<string, number> = { m: 2, l: 2, h: 1, v: 1, c: 6, s: 4, q: 4, t: 2, a: 7, z: 0 };
  let x = 0;
  let y = 0;
  let sx = 0;
  let sy = 0;
  let cmd = '';
  let i = 0;
  while (i < tokens.length) {
    const tok = tokens[i]!;
    if (/[A-Za-z]/.test(tok)) {
      cmd = tok;
      i++;
      if (cmd === 'z' || cmd === 'Z') {
        x = sx;
        y = sy;
      }
      continue;
    }
    const lower = cmd.toLowerCase();
    const n = ARGS[lower];
    if (!n) return null;
    const args = tokens.slice(i, i + n).map(Number);
    if (args.length < n || !args.every(Number.isFinite)) return null;
    i += n;
    const rel = cmd === lower;
    const ox = rel ? x : 0;
    const oy = rel ? y : 0;
    if (lower === 'h') x = ox + args[0]!;
    else if (lower === 'v') y = oy + args[0]!;
    else if (lower === 'a') {
      x = ox + args[5]!;
      y = oy + args[6]!;
    } else {
      for (let k = 0; k + 1 < n; k += 2) out.push([ox + args[k]!, oy + args[k + 1]!]);
      x = ox + args[n - 2]!;
      y = oy + args[n - 1]!;
    }
    out.push([x, y]);
    if (lower === 'm') {
      sx = x;
      sy = y;
      cmd = rel ? 'l' : 'L';
    }
  }
  return out;
}
