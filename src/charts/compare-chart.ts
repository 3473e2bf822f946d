/**
 * Up to six runs overlaid on one metric, one colour each: "did the new run do better than the last one?".
 * Pure: runs in, SVG/PNG bytes out.
 */
import type { Series, Split } from '../domain/run.ts';
import { chooseMetricKey } from './choose-panels.ts';
import { baseOption, box, FONT, lineSeries, text } from './draw.ts';
import { formatAxisNumber } from './format-number.ts';
import { fitText, textWidth } from './label-layout.ts';
import { nanMarkerSeries } from './nan-marker-series.ts';
import { DEFAULT_MAX_POINTS, prepareLine, scanValues, toLineData, type PreparedLine } from './prepare-line.ts';
import { displaySpan, emaSampled } from './smooth.ts';
import { rasterise } from './rasterise.ts';
import { renderOptionToSvg, type ChartOption } from './render-svg.ts';
import type { ChartImage, ChartRun } from './run-chart.ts';
import { chooseYScale, drawnAxis, drawnLabel, mergeExtents, niceLinear, niceStep, toDrawn, type AxisScale } from './scale.ts';
import { chartTheme, type ThemeName } from './theme.ts';
import { resolveXCoordinates } from './x-coordinates.ts';
import { drawableRun } from './drawable.ts';

export const MAX_COMPARED_RUNS = 6;

export interface CompareChartOptions {
  /** Normalised metric key ('loss', 'accuracy', 'wer'); default: loss, else the runs' common main metric. */
  metric?: string;
  /** Default: validation when every run has it, else train. */
  split?: Split;
  theme?: ThemeName;
  width?: number;
  height?: number;
  scale?: number;
  maxPoints?: number;
  title?: string;
}

export interface CompareChartPlan {
  option: ChartOption;
  width: number;
  height: number;
  metric: string | null;
  split: Split;
  xMode: 'epoch' | 'step';
  y: AxisScale;
  /** The drawn line per run (null for a run that lacks the metric). */
  lines: Array<{ run: string; colour: string; series: Series | null; prepared: PreparedLine | null; best: { x: number; value: number } | null }>;
}

const LEFT = 66;
const RIGHT = 18;
const BOTTOM = 38;

export function renderCompareChart(runs: readonly ChartRun[], options: CompareChartOptions = {}): ChartImage {
  const plan = planCompareChart(runs, options);
  const svg = renderOptionToSvg(plan.option, plan.width, plan.height);
  const scale = options.scale ?? 1;
  return { svg, png: rasterise(svg, scale), width: Math.round(plan.width * scale), height: Math.round(plan.height * scale) };
}

/** The compare chart as SVG only (the PNG is made by whoever rasterises: this process or a child). */
export function renderCompareChartSvg(runs: readonly ChartRun[], options: CompareChartOptions = {}): Omit<ChartImage, 'png'> {
  const plan = planCompareChart(runs, options);
  const scale = options.scale ?? 1;
  return { svg: renderOptionToSvg(plan.option, plan.width, plan.height), width: Math.round(plan.width * scale), height: Math.round(plan.height * scale) };
}

export function planCompareChart(sources: readonly ChartRun[], options: CompareChartOptions = {}): CompareChartPlan {
  // Values beyond float32's range become off-scale markers before anything is measured (drawable.ts).
  const runs = sources.map(drawableRun);
  if (runs.length === 0) throw new RangeError('renderCompareChart: no runs to compare');
  if (runs.length > MAX_COMPARED_RUNS) throw new RangeError(`renderCompareChart: at most ${MAX_COMPARED_RUNS} runs, got ${runs.length}`);
  const theme = chartTheme(options.theme);
  const width = options.width ?? 800;
  const height = options.height ?? 450;
  const metric = options.metric ?? commonMetric(runs);
  const split = options.split ?? (metric && runs.every((r) => pickSeries(r.series, metric, 'val')) ? 'val' : 'train');

  const picked = runs.map((r) => (metric ? pickSeries(r.series, metric, split) ?? null : null));
  const present = picked.filter((s): s is Series => s !== null);
  // Epochs only when every run can say them; otherwise one run in epochs and one in steps would not line up.
  const perRun = picked.map((s) => (s ? resolveXCoordinates([s]) : null));
  const allEpochs = perRun.every((c) => !c || c.mode === 'epoch');
  const coords = picked.map((s, i) => (s ? (allEpochs ? perRun[i]! : resolveXCoordinates([s], 'steps')) : null));
  const xMode = allEpochs ? 'epoch' : 'step';

  const scans = picked.map((s) => (s ? scanValues(s.values) : null));
  const extent = mergeExtents(scans.filter((x) => x !== null).map((x) => x.extent));
  const direction = present[0]?.direction ?? 'lower';
  const y = chooseYScale(extent, { allowLog: metric === 'loss' || direction === 'lower', bounds: metric?.endsWith('accuracy') ? [0, 1] : undefined });

  const own = runs.map((r, i) => {
    const s = picked[i]!;
    const colour = theme.palette[i % theme.palette.length]!;
    if (!s) return { run: r.name, colour, series: null, prepared: null, best: null };
    const prepared = prepareLine(s, (k) => coords[i]!.at(s, k), { maxPoints: options.maxPoints, scale: y, scan: scans[i]! });
    return { run: r.name, colour, series: s, prepared, best: bestPoint(s, (k) => coords[i]!.at(s, k)) };
  });
  // One smoothing for every run of the chart, or two uploads of one run (100 and 140 epochs) would look like two
  // different runs over the epochs they share: when any line is smoothed, all are, with the longest run's span.
  const span = displaySpan(Math.max(0, ...own.map((l) => (l.prepared?.smoothed ? l.series!.values.length : 0))));
  const lines = own.map((l, i) => {
    if (!l.prepared || !l.series || !own.some((o) => o.prepared?.smoothed)) return l;
    const s = l.series;
    const ema = emaSampled(s.values, span, options.maxPoints ?? DEFAULT_MAX_POINTS, y.type === 'log' ? y.min : undefined);
    const main = { x: Float64Array.from(ema.indices, (k) => coords[i]!.at(s, k)), y: ema.values };
    return { ...l, prepared: { ...l.prepared, raw: l.prepared.raw ?? l.prepared.main, main, smoothed: true } };
  });

  // ---- header: title, then a legend that wraps onto a second row when six long names do not fit one
  const graphics: unknown[] = [];
  const label = metric ? `${split === 'val' ? 'validation' : split} ${metric}` : 'no common metric';
  const title = fitText(options.title ?? `${label} · ${runs.length} runs`, width - 28, 15, true);
  graphics.push(text(14, 20, title, theme.text, 15, true));
  let lx = 14;
  let ly = 42;
  for (const l of lines) {
    const name = fitText(l.run, 200, 11) + (l.series ? '' : ' (no data)');
    const w = 22 + textWidth(name, 11) + 14;
    if (lx + w > width - RIGHT) {
      lx = 14;
      ly += 18;
    }
    graphics.push({ type: 'line', shape: { x1: lx, y1: ly, x2: lx + 16, y2: ly }, style: { stroke: l.colour, lineWidth: 2.5 }, silent: true });
    graphics.push(text(lx + 22, ly, name, l.series ? theme.muted : theme.status.unknown, 11));
    lx += w;
  }
  const top = ly + 16;
  const plotHeight = height - top - BOTTOM;

  // ---- x range over every drawn point
  let xMin = Infinity;
  let xMax = -Infinity;
  for (const l of lines) {
    for (const pts of [l.prepared?.main, l.prepared?.raw]) {
      if (!pts) continue;
      for (let k = 0; k < pts.x.length; k++) {
        const v = pts.x[k]!;
        if (v < xMin) xMin = v;
        if (v > xMax) xMax = v;
      }
    }
  }
  const x = !Number.isFinite(xMin) ? niceLinear(0, 1) : xMax > xMin ? spanScale(xMin, xMax) : niceLinear(xMin, xMax);

  const series: unknown[] = [];
  for (const l of lines) {
    const pr = l.prepared;
    if (!pr) continue;
    if (pr.raw) series.push(lineSeries(0, toLineData(pr.raw, y), l.colour, 1, 0.22, 2));
    const few = pr.main.x.length <= 30;
    series.push({ ...lineSeries(0, toLineData(pr.main, y), l.colour, 2.2, 1, 3), showSymbol: few, symbol: few ? 'circle' : 'none', symbolSize: 4 });
    const bestDrawn = l.best ? toDrawn(y, l.best.value) : NaN;
    if (l.best && bestDrawn >= drawnAxis(y).min && bestDrawn <= drawnAxis(y).max) {
      series.push({
        type: 'scatter',
        silent: true,
        symbolSize: 9,
        itemStyle: { color: l.colour, borderColor: theme.background, borderWidth: 1.5 },
        data: [[l.best.x, bestDrawn]],
        z: 5,
      });
    }
    const nf = pr.nonFinite.filter((m) => m.x >= x.min && m.x <= x.max);
    if (nf.length) series.push(nanMarkerSeries({ xs: nf.map((m) => m.x), yTop: toDrawn(y, y.max), colour: l.colour, size: 9 }));
  }
  if (!present.length) graphics.push(text(width / 2, top + plotHeight / 2, `no run logs ${label}`, theme.muted, 13, false, 'center'));
  const nanRuns = lines.filter((l) => l.prepared?.nonFinite.length);
  if (nanRuns.length) {
    const t = fitText(`▼ NaN/Inf in ${nanRuns.map((l) => l.run).join(', ')}`, width - LEFT - RIGHT - 16, 11);
    graphics.push(box(LEFT + 6, top + 6, textWidth(t, 11) + 10, 16, theme.labelBackground, 3));
    graphics.push(text(LEFT + 11, top + 14, t, theme.nan, 11));
  }
  const bestNote = `● best ${direction === 'lower' ? '(lowest)' : '(highest)'} of each run`;
  graphics.push(text(width - RIGHT, height - 10, bestNote, theme.muted, 10, false, 'right'));

  const option = baseOption(
    theme,
    graphics,
    [{ left: LEFT, right: RIGHT, top, height: plotHeight }],
    [
      {
        type: 'value',
        min: x.min,
        max: x.max,
        interval: x.interval,
        name: xMode,
        nameLocation: 'middle',
        nameGap: 22,
        nameTextStyle: { color: theme.muted, fontSize: 11, fontFamily: FONT },
        axisLine: { lineStyle: { color: theme.axis } },
        axisLabel: { color: theme.muted, fontSize: 11, fontFamily: FONT, formatter: formatAxisNumber, hideOverlap: true },
        splitLine: { lineStyle: { color: theme.grid } },
      },
    ],
    [
      {
        type: 'value',
        ...drawnAxis(y, Math.max(1, Math.ceil(Math.log10(y.max / y.min) / 8))),
        name: metric ? `${metric}${y.type === 'log' ? ' (log)' : ''} ${direction === 'lower' ? '↓' : '↑'}` : '',
        nameLocation: 'middle',
        nameGap: 50,
        nameRotate: 90,
        nameTextStyle: { color: theme.muted, fontSize: 11, fontFamily: FONT },
        axisLine: { show: true, lineStyle: { color: theme.axis } },
        axisLabel: { color: theme.muted, fontSize: 11, fontFamily: FONT, formatter: drawnLabel(y, formatAxisNumber), hideOverlap: true },
        splitLine: { lineStyle: { color: theme.grid } },
      },
    ],
    series,
  );
  return { option, width, height, metric, split, xMode, y, lines };
}

/** loss when every run logs one, else the first main metric all runs share, else the first run's main metric. */
function commonMetric(runs: readonly ChartRun[]): string | null {
  if (runs.every((r) => r.series.some((s) => s.key === 'loss'))) return 'loss';
  const keys = runs.map((r) => chooseMetricKey(r.series));
  const shared = keys.find((k) => k && runs.every((r) => r.series.some((s) => s.key === k)));
  return shared ?? keys.find((k) => k !== null) ?? (runs.some((r) => r.series.some((s) => s.key === 'loss')) ? 'loss' : null);
}

/** The series of a key and split with the most points (Lightning logs a metric per step and per epoch). */
function pickSeries(series: readonly Series[], key: string, split: Split): Series | undefined {
  const same = series.filter((s) => s.key === key && s.split === split);
  return same.reduce<Series | undefined>((best, s) => (!best || s.values.length > best.values.length ? s : best), undefined);
}

function bestPoint(s: Series, xAt: (i: number) => number): { x: number; value: number } | null {
  let bi = -1;
  for (let i = 0; i < s.values.length; i++) {
    const v = s.values[i]!;
    if (!Number.isFinite(v)) continue;
    if (bi < 0 || (s.direction === 'lower' ? v < s.values[bi]! : v > s.values[bi]!)) bi = i;
  }
  return bi < 0 ? null : { x: xAt(bi), value: s.values[bi]! };
}

function spanScale(min: number, max: number): AxisScale {
  const interval = niceStep((max - min) / 7);
  return {
    type: 'value',
    min: Number((Math.floor(min / interval + 1e-9) * interval).toPrecision(12)),
    max: Number((Math.ceil(max / interval - 1e-9) * interval).toPrecision(12)),
    interval,
    hasData: true,
  };
}

