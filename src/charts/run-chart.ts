/**
 * The picture of one run: loss, main metric and learning rate stacked on a shared x axis, with the verdict's marks
 * drawn where things went wrong. Pure: run + verdict in, SVG/PNG bytes out.
 */
import type { Series, Split } from '../domain/run.ts';
import type { ItemStatus, Mark, Verdict } from '../domain/verdict.ts';
import { choosePanels, findMarkSeries, type PanelChoice } from './choose-panels.ts';
import { baseOption, box, formatX, lineSeries, text, FONT } from './draw.ts';
import { formatAxisNumber, formatValue } from './format-number.ts';
import { fitText, layoutLabels, textWidth, type LabelRequest } from './label-layout.ts';
import { nanMarkerSeries } from './nan-marker-series.ts';
import { prepareLine, scanValues, toLineData, type LinePoint, type PreparedLine } from './prepare-line.ts';
import { rasterise } from './rasterise.ts';
import { renderOptionToSvg, type ChartOption } from './render-svg.ts';
import { chooseYScale, drawnAxis, drawnLabel, mergeExtents, niceLinear, niceStep, sampledPositiveQuantile, toDrawn, toPixel, type AxisScale } from './scale.ts';
import { chartTheme, withAlpha, type ChartTheme, type ThemeName } from './theme.ts';
import { drawableRun } from './drawable.ts';
import { passSummary, verdictCoverage } from '../diagnose/verdict-coverage.ts';
import { resolveXCoordinates, interpolate, type XCoordinates } from './x-coordinates.ts';

/** What a chart needs of a run: a Run, a RunLog or a hand-made object all fit. */
export interface ChartRun {
  name: string;
  series: Series[];
}

export interface RunChartOptions {
  theme?: ThemeName;
  /** Size of the SVG in px (the PNG is `scale` times larger). Default 800×450: Discord's inline preview. */
  width?: number;
  height?: number;
  scale?: number;
  /** Points per drawn line after LTTB downsampling. */
  maxPoints?: number;
}

export interface ChartImage {
  png: Uint8Array;
  svg: string;
  width: number;
  height: number;
}

export interface PanelPlan {
  kind: PanelChoice['kind'];
  key: string;
  y: AxisScale;
  top: number;
  height: number;
  lines: Array<{ series: Series; split: Split; prepared: PreparedLine }>;
  /** Set when the first points were left above the axis so the rest of the run is readable. */
  offScale: { value: number } | null;
  /** Highest finite value drawn inside the panel (after leaving an off-scale start out). */
  dataMax: number;
}

/** Everything decided before ECharts draws: exposed so tests can check the decisions, not just the pixels. */
export interface RunChartPlan {
  option: ChartOption;
  width: number;
  height: number;
  xMode: 'epoch' | 'step';
  x: AxisScale;
  panels: PanelPlan[];
  /** Texts placed by hand (title, legend, mark labels), in drawing order. */
  texts: string[];
}

const LEFT = 66;
const RIGHT = 18;
const BOTTOM = 38;
const GAP = 12;
const LR_HEIGHT = 52;
const LABEL_ROW = 17;
const STATUS_RANK: Record<ItemStatus, number> = { fail: 3, warn: 2, unknown: 1, pass: 0 };

export function renderRunChart(run: ChartRun, verdict: Verdict | null, options: RunChartOptions = {}): ChartImage {
  const plan = planRunChart(run, verdict, options);
  const svg = renderOptionToSvg(plan.option, plan.width, plan.height);
  const scale = options.scale ?? 1;
  return { svg, png: rasterise(svg, scale), width: Math.round(plan.width * scale), height: Math.round(plan.height * scale) };
}

export function renderRunChartSvg(run: ChartRun, verdict: Verdict | null, options: RunChartOptions = {}): string {
  const plan = planRunChart(run, verdict, options);
  return renderOptionToSvg(plan.option, plan.width, plan.height);
}

export function planRunChart(source: ChartRun, verdict: Verdict | null, options: RunChartOptions = {}): RunChartPlan {
  // Values beyond float32's range become off-scale markers before anything is measured (drawable.ts).
  const run = drawableRun(source);
  const theme = chartTheme(options.theme);
  const width = options.width ?? 800;
  const height = options.height ?? 450;
  const right = width - RIGHT;
  const choices = choosePanels(run.series);
  const drawn = choices.flatMap((p) => p.series);
  const coords = resolveXCoordinates(drawn.length ? drawn : run.series);
  const texts: string[] = [];
  const graphics: unknown[] = [];
  const series: unknown[] = [];

  // ---- header: title, status, subtitle, legend
  // A pass that could check almost nothing is badged as such, not PASS (verdictCoverage); the status itself is unchanged.
  const tooLittle = verdict ? verdictCoverage(verdict).tooLittleToJudge : false;
  const status: ItemStatus | undefined = tooLittle ? 'unknown' : verdict?.status;
  const subtitle = verdict ? headline(verdict) : null;
  const top0 = subtitle ? 56 : 40;
  const legend = legendEntries(choices, theme, drawn.some((s) => s.cadence === 'step' && s.values.length >= 50));
  const legendWidth = legend.reduce((w, e) => w + 22 + textWidth(e.text, 11) + 12, 0);
  const statusText = tooLittle ? 'TOO LITTLE DATA' : status ? status.toUpperCase() : '';
  const statusWidth = status ? textWidth(statusText, 11, true) + 14 : 0;
  const titleRoom = right - 14 - legendWidth - statusWidth - 24;
  const title = fitText(run.name || 'run', titleRoom, 15, true);
  graphics.push(text(14, 20, title, theme.text, 15, true));
  texts.push(title);
  if (status) {
    const tx = 14 + textWidth(title, 15, true) + 12;
    graphics.push(box(tx, 11, statusWidth, 18, theme.status[status], 4));
    graphics.push(text(tx + 7, 20, statusText, '#ffffff', 11, true));
    texts.push(statusText);
  }
  let lx = right - legendWidth + 12;
  for (const e of legend) {
    graphics.push({ type: 'line', shape: { x1: lx, y1: 20, x2: lx + 16, y2: 20 }, style: { stroke: e.colour, lineWidth: e.faint ? 1 : 2.5, opacity: e.faint ? 0.45 : 1 }, silent: true });
    graphics.push(text(lx + 22, 20, e.text, theme.muted, 11));
    texts.push(e.text);
    lx += 22 + textWidth(e.text, 11) + 12;
  }
  if (subtitle) {
    const line = fitText(subtitle.text, right - 14, 11.5);
    graphics.push(text(14, 40, line, theme.status[subtitle.status], 11.5));
    texts.push(line);
  }

  // ---- panels
  if (choices.length === 0) {
    const msg = 'no loss, metric or learning-rate series to draw';
    graphics.push(text(width / 2, height / 2, msg, theme.muted, 13, false, 'center'));
    texts.push(msg);
    return { option: baseOption(theme, graphics, [], [], [], []), width, height, xMode: coords.mode, x: niceLinear(0, 1), panels: [], texts };
  }
  const panels = layoutPanels(choices, coords, top0, height - BOTTOM, options.maxPoints);
  const xScale = xScaleOf(panels);
  const top = panels[0]!;

  // ---- verdict marks and every text label, placed before drawing so the y axes can make room for them
  const marks = collectMarks(run, verdict, coords, panels);
  const labelRequests: Array<LabelRequest & { text: string; colour: string; panel: number }> = [];
  const xPx = (x: number) => toPixel(xScale, x, LEFT, width - RIGHT);
  const inX = (x: number) => x >= xScale.min && x <= xScale.max;
  const rules = marks.filter((m) => m.kind === 'line' && inX(m.x));
  // A band reaching outside the x range is cut to it; one wholly outside is not drawn.
  const bands = marks.filter((m) => m.kind === 'band' && m.x <= xScale.max && (m.toX ?? xScale.max) >= xScale.min);
  for (const m of rules) {
    const label = fitText(m.label, 200, 11);
    labelRequests.push({ x: xPx(m.x), width: textWidth(label, 11) + 10, anchor: 'middle', text: label, colour: theme.status[m.status], panel: 0 });
  }
  for (const m of bands) {
    const label = fitText(m.label, 220, 11);
    labelRequests.push({ x: xPx(Math.max(m.x, xScale.min)) + 4, width: textWidth(label, 11) + 10, anchor: 'start', text: label, colour: theme.status[m.status], panel: 0 });
  }
  const nanMarkers: Array<{ panel: number; xs: number[] }> = [];
  panels.forEach((p, pi) => {
    for (const line of p.lines) {
      const nf = line.prepared.nonFinite.filter((m) => inX(m.x));
      if (!nf.length) continue;
      nanMarkers.push({ panel: pi, xs: nf.map((m) => m.x) });
      const total = line.prepared.nonFinite.reduce((sum, m) => sum + m.count, 0);
      // A value beyond float32's range was made an off-scale marker (drawable.ts): the label gives the logged value.
      const logged = source.series[run.series.indexOf(line.series)];
      const offScale = (m: { index: number }) => (logged && logged !== line.series && logged.values.length === line.series.values.length ? logged.values[m.index]! : NaN);
      const kinds = new Set(line.prepared.nonFinite.map((m) => (Number.isFinite(offScale(m)) ? 'off scale' : m.kind)));
      const only = kinds.size === 1 ? [...kinds][0]! : null;
      const kind = only === 'off scale' ? (total === 1 ? `${formatValue(offScale(nf[0]!))} (off scale)` : 'off-scale values') : (only ?? 'NaN/Inf');
      const all = !Number.isFinite(line.prepared.extent.min);
      const what = `${line.split} ${line.series.key} ${kind}`;
      // Said in the log's own numbering, as the verdict's title says it ("became NaN at epoch 2"), not the point's
      // fractional x position within the epochs (2.7).
      const loggedEpoch = coords.mode === 'epoch' ? line.series.epochs?.[nf[0]!.index] : undefined;
      const at = loggedEpoch !== undefined && Number.isFinite(loggedEpoch) ? formatX(loggedEpoch) : formatX(nf[0]!.x);
      const where = all ? 'throughout' : total === 1 ? `at ${coords.mode} ${at}` : `from ${coords.mode} ${at} (${formatAxisNumber(total)} points)`;
      const label = fitText(`${what} ${where}`, 320, 11);
      labelRequests.push({ x: xPx(nf[0]!.x), width: textWidth(label, 11) + 10, anchor: 'middle', text: label, colour: theme.nan, panel: pi });
    }
    if (p.offScale) {
      const label = `↑ start off scale (${formatValue(p.offScale.value)})`;
      labelRequests.push({ x: LEFT + 16, width: textWidth(label, 11) + 10, anchor: 'start', text: label, colour: theme.muted, panel: pi });
    }
  });

  // Labels never overlap: rows from the top of their panel, greedy by x; a label with no room is left out.
  const occupied: Box[] = [];
  const labelGraphics: unknown[] = [];
  panels.forEach((p, pi) => {
    const reqs = labelRequests.filter((r) => r.panel === pi);
    if (!reqs.length) return;
    const rows = Math.max(1, Math.min(3, Math.floor((p.height - 10) / (LABEL_ROW + 2))));
    const placed = layoutLabels(reqs, { left: LEFT + 2, right: width - RIGHT - 2 }, rows);
    let rowsUsed = 0;
    reqs.forEach((r, i) => {
      const pl = placed[i]!;
      if (pl.row < 0) return;
      rowsUsed = Math.max(rowsUsed, pl.row + 1);
      const y = p.top + 8 + pl.row * (LABEL_ROW + 2);
      occupied.push({ left: pl.left, top: y, right: pl.left + r.width, bottom: y + LABEL_ROW - 1 });
      labelGraphics.push(box(pl.left, y, r.width, LABEL_ROW - 1, theme.labelBackground, 3));
      labelGraphics.push(text(pl.left + 5, y + (LABEL_ROW - 1) / 2, r.text, r.colour, 11));
      texts.push(r.text);
    });
    // Room above the curves for the label rows, so no label sits on the data.
    p.y = withHeadroom(p.y, p.dataMax, p.height, 8 + rowsUsed * (LABEL_ROW + 2));
  });

  // ---- drawing
  const grids = panels.map((p) => ({ left: LEFT, right: RIGHT, top: p.top, height: p.height, containLabel: false }));
  const xAxes = panels.map((_, i) => xAxis(theme, xScale, i, i === panels.length - 1, coords.mode));
  const yAxes = panels.map((p, i) => yAxis(theme, p, i));

  panels.forEach((p, pi) => {
    for (const line of p.lines) {
      const colour = line.series.key === 'lr' ? theme.lr : splitColour(theme, line.split);
      const pr = line.prepared;
      const thin = p.kind === 'lr';
      if (pr.raw) series.push(lineSeries(pi, toLineData(pr.raw, p.y), colour, 1, 0.28, 2));
      const few = pr.main.x.length <= 30;
      series.push({
        ...lineSeries(pi, toLineData(pr.main, p.y), colour, thin ? 1.5 : 2.2, 1, 3),
        showSymbol: few && !thin,
        symbol: few && !thin ? 'circle' : 'none',
        symbolSize: 5,
      });
    }
    series.push({
      type: 'line',
      xAxisIndex: pi,
      yAxisIndex: pi,
      data: [],
      silent: true,
      markLine: {
        silent: true,
        symbol: ['none', 'none'],
        animation: false,
        label: { show: false },
        data: rules.map((m) => ({ xAxis: m.x, lineStyle: { color: theme.status[m.status], type: [5, 3], width: 1.4, opacity: 0.9 } })),
      },
      markArea: {
        silent: true,
        animation: false,
        label: { show: false },
        data: bands.map((m) => [
          { xAxis: Math.max(m.x, xScale.min), itemStyle: { color: withAlpha(theme.status[m.status], theme.bandOpacity) } },
          { xAxis: Math.min(m.toX ?? xScale.max, xScale.max) },
        ]),
      },
      z: 1,
    });
  });

  // Points: a dot where the verdict points (best validation epoch), its label beside it where no other label is.
  panels.forEach((p, pi) => {
    const drawnRange = drawnAxis(p.y);
    const pts = marks.filter((m) => {
      if (m.kind !== 'point' || m.panel !== pi || m.value === undefined || !Number.isFinite(m.value) || !inX(m.x)) return false;
      const d = toDrawn(p.y, m.value);
      return d >= drawnRange.min && d <= drawnRange.max;
    });
    if (!pts.length) return;
    series.push({
      type: 'scatter',
      xAxisIndex: pi,
      yAxisIndex: pi,
      silent: true,
      symbolSize: 10,
      itemStyle: { color: theme.background, borderColor: theme.text, borderWidth: 2.2 },
      data: pts.map((m) => [m.x, toDrawn(p.y, m.value!)]),
      z: 5,
    });
    for (const m of pts) {
      const px = xPx(m.x);
      const py = toPixel(p.y, Math.max(m.value!, p.y.min), p.top + p.height, p.top);
      const label = fitText(m.label, 180, 11);
      const w = textWidth(label, 11) + 10;
      const b = placeBeside(px, py, w, 16, { left: LEFT, top: p.top, right: width - RIGHT, bottom: p.top + p.height }, occupied);
      occupied.push(b);
      labelGraphics.push(box(b.left, b.top, w, 16, theme.labelBackground, 3));
      labelGraphics.push(text(b.left + 5, b.top + 8, label, theme.text, 11));
      texts.push(label);
    }
  });

  // Non-finite values: a downward triangle at the top edge of the panel (labelled above).
  for (const { panel, xs } of nanMarkers) {
    series.push(nanMarkerSeries({ xs, yTop: toDrawn(panels[panel]!.y, panels[panel]!.y.max), colour: theme.nan, size: 10, panel }));
  }
  graphics.push(...labelGraphics);
  if (!top.y.hasData) {
    const msg = `no finite ${top.key} value to draw`;
    graphics.push(text(LEFT + (width - LEFT - RIGHT) / 2, top.top + top.height / 2, msg, theme.muted, 12, false, 'center'));
    texts.push(msg);
  }

  return {
    option: baseOption(theme, graphics, grids, xAxes, yAxes, series),
    width,
    height,
    xMode: coords.mode,
    x: xScale,
    panels,
    texts,
  };
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** A w×h box beside the point (px, py): above-right, above-left, below-right or below-left, the first clear one. */
function placeBeside(px: number, py: number, w: number, h: number, bounds: Box, taken: Box[]): Box {
  const candidates = [
    [px + 9, py - h - 6],
    [px - 9 - w, py - h - 6],
    [px + 9, py + 6],
    [px - 9 - w, py + 6],
  ].map(([x, y]) => {
    const left = Math.min(Math.max(x!, bounds.left + 2), bounds.right - w - 2);
    const top = Math.min(Math.max(y!, bounds.top + 2), bounds.bottom - h - 2);
    return { left, top, right: left + w, bottom: top + h };
  });
  const clear = (b: Box) => taken.every((t) => b.right <= t.left || t.right <= b.left || b.bottom <= t.top || t.bottom <= b.top);
  const covers = (b: Box) => px >= b.left - 2 && px <= b.right + 2 && py >= b.top - 2 && py <= b.bottom + 2;
  return candidates.find((b) => clear(b) && !covers(b)) ?? candidates.find((b) => !covers(b)) ?? candidates[0]!;
}

/**
 * The y scale widened at the top until the data's highest value sits `reservedPx` below the panel's top edge
 * (where the mark labels are), its new end rounded like the rest of the axis.
 */
export function withHeadroom(y: AxisScale, dataMax: number, plotPx: number, reservedPx: number): AxisScale {
  if (!y.hasData || !Number.isFinite(dataMax) || reservedPx <= 8 || reservedPx > plotPx * 0.5) return y;
  const keep = (plotPx - reservedPx) / plotPx;
  if (y.type === 'log') {
    const lo = Math.log10(y.min);
    const needed = lo + (Math.log10(Math.max(dataMax, y.min)) - lo) / keep;
    return needed <= Math.log10(y.max) ? y : { ...y, max: Number((10 ** Math.ceil(needed - 1e-6)).toPrecision(12)) };
  }
  const needed = y.min + (dataMax - y.min) / keep;
  if (needed <= y.max) return y;
  const step = y.interval ?? niceStep((needed - y.min) / 4);
  return { ...y, max: Number((Math.ceil(needed / step - 1e-9) * step).toPrecision(12)) };
}

interface PlacedMark {
  kind: 'line' | 'point' | 'band';
  x: number;
  toX?: number;
  value?: number;
  label: string;
  status: ItemStatus;
  panel: number;
}

/** The verdict's marks in chart coordinates, worst status first, duplicates (same kind, place and label) dropped. */
function collectMarks(run: ChartRun, verdict: Verdict | null, coords: XCoordinates, panels: PanelPlan[]): PlacedMark[] {
  if (!verdict) return [];
  const out: PlacedMark[] = [];
  const seen = new Set<string>();
  const items = [...verdict.items].sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status]);
  for (const item of items) {
    for (const mark of item.marks) {
      const placed = placeMark(run, mark, item.status, coords, panels);
      if (!placed) continue;
      // A band over the same range as one already placed (overfitting's "saved by early stopping" and
      // early_stopping_missing's "after early stop") is drawn once, with the worse item's label.
      const id = placed.kind === 'band' ? `band|${placed.x.toPrecision(6)}|${placed.toX?.toPrecision(6)}` : `${placed.kind}|${placed.x.toPrecision(6)}|${placed.label}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(placed);
    }
  }
  return out;
}

function placeMark(run: ChartRun, mark: Mark, status: ItemStatus, coords: XCoordinates, panels: PanelPlan[]): PlacedMark | null {
  if (!Number.isFinite(mark.step)) return null;
  const s = findMarkSeries(run.series, mark.series);
  const x = coords.stepToX(s, mark.step);
  if (!Number.isFinite(x)) return null;
  const kind = mark.kind ?? 'line';
  const panelIndex = s ? panels.findIndex((p) => p.key === s.key) : -1;
  const placed: PlacedMark = { kind, x, label: mark.label, status, panel: Math.max(panelIndex, 0) };
  if (kind === 'band') {
    const to = mark.toStep ?? NaN;
    placed.toX = Number.isFinite(to) ? coords.stepToX(s, to) : undefined;
    if (placed.toX !== undefined && placed.toX < x) [placed.x, placed.toX] = [placed.toX, x];
  }
  if (kind === 'point') {
    if (panelIndex < 0) return null;
    placed.value = mark.value ?? (s ? interpolate(s.steps, s.values, mark.step) : undefined);
  }
  return placed;
}

function layoutPanels(choices: PanelChoice[], coords: XCoordinates, top0: number, bottom: number, maxPoints?: number): PanelPlan[] {
  const gaps = GAP * (choices.length - 1);
  const hasLr = choices.some((c) => c.kind === 'lr');
  const flexible = choices.filter((c) => c.kind !== 'lr');
  const avail = bottom - top0 - gaps - (hasLr ? (flexible.length ? LR_HEIGHT : 0) : 0);
  const weight = (c: PanelChoice) => (c.kind === 'loss' ? 3 : 2);
  const totalWeight = flexible.reduce((s, c) => s + weight(c), 0);
  let y = top0;
  return choices.map((c) => {
    const h = c.kind === 'lr' && flexible.length ? LR_HEIGHT : c.kind === 'lr' ? avail : Math.round((avail * weight(c)) / totalWeight);
    const scans = c.series.map((s) => scanValues(s.values));
    let extent = mergeExtents(scans.map((sc) => sc.extent));
    let offScale: PanelPlan['offScale'] = null;
    const lowerIsBetter = c.kind === 'loss' || (c.kind === 'metric' && c.series.every((x) => x.direction === 'lower'));
    // With a handful of points the start is a large part of the story (of 2, half): it stays on the scale.
    const longRun = Math.max(...c.series.map((x) => x.values.length)) >= MIN_POINTS_TO_CLIP_START;
    if (lowerIsBetter && longRun) {
      // A first loss far above the rest (3.8, then 1.0 … 0.13) would flatten the whole story into the bottom
      // fifth of the panel: scale to what follows the start and say the start is off the scale.
      const linear = !(extent.min >= 0 && extent.max / extent.minPositive > 100);
      const trimmed = linear ? withoutStart(c.series) : null;
      if (trimmed && extent.max > 1.5 * trimmed.max && extent.max - extent.min > 2.5 * (trimmed.max - extent.min)) {
        offScale = { value: extent.max };
        extent = { ...extent, max: trimmed.max };
      }
    }
    let yScale = chooseYScale(extent, {
      // Lower-is-better metrics (perplexity, error rates) can span decades like a loss; rates and scores do not.
      allowLog: c.kind !== 'metric' || lowerIsBetter,
      logDecades: c.kind === 'lr' ? 1 : 2,
      bounds: c.key === 'accuracy' || c.key.endsWith('accuracy') ? [0, 1] : undefined,
      ticks: c.kind === 'lr' ? 2 : 4,
    });
    // A schedule decaying to ~0 spans many decades only in its last steps; log suits step decays, where a
    // quarter of the run sits a decade or more below the peak.
    if (c.kind === 'lr' && yScale.type === 'log') {
      const p25 = Math.min(...c.series.map((s) => sampledPositiveQuantile(s.values, 0.25)));
      if (!(extent.max / p25 >= 9.5)) yScale = niceLinear(extent.min, extent.max, 2);
    }
    const lines = c.series.map((s, k) => ({
      series: s,
      split: s.split,
      prepared: prepareLine(s, (i) => coords.at(s, i), { maxPoints, exact: c.kind === 'lr', scale: yScale, scan: scans[k] }),
    }));
    const plan: PanelPlan = { kind: c.kind, key: c.key, y: yScale, top: y, height: h, lines, offScale, dataMax: extent.max };
    y += h + GAP;
    return plan;
  });
}

/** Max of every series without its first 3 % of points (at least one), or null when that leaves nothing. */
/** Fewest points in a panel's longest series before a towering start may be put off the scale. */
const MIN_POINTS_TO_CLIP_START = 10;

function withoutStart(series: Series[]): { max: number } | null {
  let max = -Infinity;
  for (const s of series) {
    const from = Math.max(1, Math.ceil(s.values.length * 0.03));
    for (let i = from; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (Number.isFinite(v) && v > max) max = v;
    }
  }
  return Number.isFinite(max) ? { max } : null;
}

function xScaleOf(panels: PanelPlan[]): AxisScale {
  let min = Infinity;
  let max = -Infinity;
  for (const p of panels) {
    for (const l of p.lines) {
      for (const pts of [l.prepared.main, l.prepared.raw]) {
        if (!pts) continue;
        for (let i = 0; i < pts.x.length; i++) {
          const v = pts.x[i]!;
          if (!Number.isFinite(v)) continue;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
    }
  }
  if (!Number.isFinite(min)) return niceLinear(0, 1);
  if (max === min) return niceLinear(min, max);
  // No padding on x: the frame ends at the first tick at or beyond the data, so a run fills the width.
  const interval = niceStep((max - min) / 7);
  const lo = Math.floor(min / interval + 1e-9) * interval;
  const hi = Math.ceil(max / interval - 1e-9) * interval;
  return { type: 'value', min: Number(lo.toPrecision(12)), max: Number(hi.toPrecision(12)), interval, hasData: true };
}

function xAxis(theme: ChartTheme, scale: AxisScale, index: number, labelled: boolean, mode: 'epoch' | 'step') {
  return {
    type: 'value',
    gridIndex: index,
    min: scale.min,
    max: scale.max,
    interval: scale.interval,
    name: labelled ? mode : undefined,
    nameLocation: 'middle',
    nameGap: 22,
    nameTextStyle: { color: theme.muted, fontSize: 11, fontFamily: FONT },
    axisLine: { show: true, lineStyle: { color: theme.axis } },
    axisTick: { show: labelled, lineStyle: { color: theme.axis } },
    axisLabel: { show: labelled, color: theme.muted, fontSize: 11, fontFamily: FONT, formatter: formatAxisNumber, hideOverlap: true },
    splitLine: { show: true, lineStyle: { color: theme.grid, width: 1 } },
  };
}

function yAxis(theme: ChartTheme, p: PanelPlan, index: number) {
  const name = panelName(p);
  return {
    type: 'value',
    gridIndex: index,
    ...drawnAxis(p.y, logEvery(p)),
    splitNumber: p.kind === 'lr' ? 2 : 4,
    name: fitText(name, p.height, 11),
    nameLocation: 'middle',
    nameGap: 50,
    nameRotate: 90,
    nameTextStyle: { color: theme.muted, fontSize: 11, fontFamily: FONT },
    axisLine: { show: true, lineStyle: { color: theme.axis } },
    axisTick: { show: false },
    axisLabel: { color: theme.muted, fontSize: p.kind === 'lr' ? 10 : 11, fontFamily: FONT, formatter: yLabelFormatter(p), hideOverlap: true },
    splitLine: { show: true, lineStyle: { color: theme.grid, width: 1 } },
  };
}

/** Decades between labelled ticks of a log axis: every decade when the panel has ~16 px per decade, else fewer. */
function logEvery(p: PanelPlan): number {
  const decades = Math.max(1, Math.round(Math.log10(p.y.max / p.y.min)));
  return Math.max(1, Math.ceil(decades / Math.max(1, Math.floor(p.height / 16))));
}

function yLabelFormatter(p: PanelPlan): (v: number) => string {
  return drawnLabel(p.y, formatAxisNumber);
}

function panelName(p: PanelPlan): string {
  if (p.kind === 'loss') return p.y.type === 'log' ? 'loss (log)' : 'loss';
  if (p.kind === 'lr') return 'lr';
  const dir = p.lines[0]?.series.direction === 'lower' ? '↓' : '↑';
  return `${p.key} ${dir}`;
}

function splitColour(theme: ChartTheme, split: Split): string {
  return split === 'train' ? theme.train : split === 'val' ? theme.val : theme.test;
}

function legendEntries(choices: PanelChoice[], theme: ChartTheme, anyRaw: boolean) {
  const splits = new Set<Split>();
  for (const c of choices) if (c.kind !== 'lr') for (const s of c.series) splits.add(s.split);
  const out: Array<{ text: string; colour: string; faint?: boolean }> = [];
  for (const s of ['train', 'val', 'test'] as const) {
    if (splits.has(s)) out.push({ text: s === 'val' ? 'validation' : s, colour: splitColour(theme, s) });
  }
  if (anyRaw) out.push({ text: 'raw steps', colour: theme.muted, faint: true });
  return out;
}

/** The most serious finding, as a line under the title. */
function headline(verdict: Verdict): { text: string; status: ItemStatus } | null {
  const bad = verdict.items.filter((i) => i.status === 'fail' || i.status === 'warn');
  if (!bad.length) return verdict.status === 'pass' ? { text: passSummary(verdict), status: verdictCoverage(verdict).tooLittleToJudge ? 'unknown' : 'pass' } : null;
  const worst = [...bad].sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status])[0]!;
  const more = bad.length - 1;
  return { text: more > 0 ? `${worst.title} (+${more} more)` : worst.title, status: worst.status };
}
