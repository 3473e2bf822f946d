/**
 * A grid of small multiples for a digest: one sparkline per run, coloured by its status, so a morning summary shows
 * at a glance which runs went wrong. Pure: runs in, SVG/PNG bytes out.
 */
import type { Series } from '../domain/run.ts';
import type { ItemStatus } from '../domain/verdict.ts';
import { chooseMetricKey } from './choose-panels.ts';
import { baseOption, box, lineSeries, text } from './draw.ts';
import { formatValue } from './format-number.ts';
import { fitText, textWidth } from './label-layout.ts';
import { prepareLine, scanValues, toLineData } from './prepare-line.ts';
import { rasterise } from './rasterise.ts';
import { renderOptionToSvg, type ChartOption } from './render-svg.ts';
import type { ChartImage, ChartRun } from './run-chart.ts';
import { chooseYScale, drawnAxis } from './scale.ts';
import { chartTheme, withAlpha, type ChartTheme, type ThemeName } from './theme.ts';
import { resolveXCoordinates } from './x-coordinates.ts';
import { drawableRun } from './drawable.ts';

/** A run's health in a digest: a verdict status, or where the run is in its life. */
export type DigestStatus = ItemStatus | 'running' | 'stalled';

export interface DigestItem {
  run: ChartRun;
  status: DigestStatus;
  /** One short line under the sparkline: the worst finding ("val_loss rises after epoch 12"). */
  caption?: string;
}

export interface DigestGridOptions {
  theme?: ThemeName;
  width?: number;
  scale?: number;
  title?: string;
  /** Most cells drawn; the rest are counted in a "+N more" line. */
  maxItems?: number;
}

export interface DigestGridPlan {
  option: ChartOption;
  width: number;
  height: number;
  columns: number;
  /** The series drawn per cell (null when the run has nothing to draw). */
  cells: Array<{ name: string; status: DigestStatus; series: Series | null; points: number }>;
  hidden: number;
}

const CELL_HEIGHT = 104;
const GAP = 8;
const PAD = 12;
const HEADER = 44;
const SPARK_POINTS = 240;

export function renderDigestGrid(items: readonly DigestItem[], options: DigestGridOptions = {}): ChartImage {
  const plan = planDigestGrid(items, options);
  const svg = renderOptionToSvg(plan.option, plan.width, plan.height);
  const scale = options.scale ?? 1;
  return { svg, png: rasterise(svg, scale), width: Math.round(plan.width * scale), height: Math.round(plan.height * scale) };
}

/** The digest grid as SVG only (the PNG is made by whoever rasterises: this process or a child). */
export function renderDigestGridSvg(items: readonly DigestItem[], options: DigestGridOptions = {}): Omit<ChartImage, 'png'> {
  const plan = planDigestGrid(items, options);
  const scale = options.scale ?? 1;
  return { svg: renderOptionToSvg(plan.option, plan.width, plan.height), width: Math.round(plan.width * scale), height: Math.round(plan.height * scale) };
}

export function planDigestGrid(sources: readonly DigestItem[], options: DigestGridOptions = {}): DigestGridPlan {
  // Values beyond float32's range become off-scale markers before anything is measured (drawable.ts).
  const items = sources.map((item) => ({ ...item, run: drawableRun(item.run) }));
  const theme = chartTheme(options.theme);
  const width = options.width ?? 800;
  const max = options.maxItems ?? 24;
  const shown = items.slice(0, max);
  const hidden = items.length - shown.length;
  const columns = shown.length <= 4 ? Math.max(1, Math.min(shown.length, 2)) : shown.length <= 12 ? 3 : 4;
  const rows = Math.max(1, Math.ceil(shown.length / columns));
  const footer = hidden > 0 ? 22 : 0;
  const height = HEADER + rows * (CELL_HEIGHT + GAP) - GAP + PAD + footer;
  const cellWidth = (width - 2 * PAD - (columns - 1) * GAP) / columns;

  const graphics: unknown[] = [];
  const grids: unknown[] = [];
  const xAxes: unknown[] = [];
  const yAxes: unknown[] = [];
  const series: unknown[] = [];
  const cells: DigestGridPlan['cells'] = [];

  graphics.push(text(PAD + 2, 20, fitText(options.title ?? 'Run health', width / 2, 15, true), theme.text, 15, true));
  const counts = countsLine(items);
  graphics.push(text(width - PAD, 20, counts, theme.muted, 11, false, 'right'));
  if (shown.length === 0) graphics.push(text(width / 2, HEADER + CELL_HEIGHT / 2, 'no runs in this window', theme.muted, 13, false, 'center'));

  shown.forEach((item, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    const x0 = PAD + col * (cellWidth + GAP);
    const y0 = HEADER + row * (CELL_HEIGHT + GAP);
    const colour = statusColour(theme, item.status);
    graphics.push(box(x0, y0, cellWidth, CELL_HEIGHT, withAlpha('#000000', theme.name === 'dark' ? 0.16 : 0.035), 6));
    graphics.push(box(x0, y0, 4, CELL_HEIGHT, colour, 2));
    const badge = item.status === 'pass' ? 'healthy' : item.status === 'fail' ? 'failing' : item.status === 'warn' ? 'warning' : item.status;
    const badgeWidth = textWidth(badge, 10, true);
    graphics.push(text(x0 + cellWidth - 8, y0 + 13, badge, colour, 10, true, 'right'));
    graphics.push(text(x0 + 12, y0 + 13, fitText(item.run.name, cellWidth - 30 - badgeWidth, 11.5, true), theme.text, 11.5, true));

    const s = sparkSeries(item.run.series);
    cells.push({ name: item.run.name, status: item.status, series: s, points: s?.values.length ?? 0 });
    const plotTop = y0 + 26;
    const plotHeight = CELL_HEIGHT - 26 - (item.caption ? 22 : 10);
    if (s) {
      const scan = scanValues(s.values);
      const y = chooseYScale(scan.extent, { allowLog: s.direction === 'lower' && s.key === 'loss' });
      const coords = resolveXCoordinates([s]);
      const pr = prepareLine(s, (k) => coords.at(s, k), { maxPoints: SPARK_POINTS, scale: y, scan });
      const gi = grids.length;
      const valueWidth = 46;
      grids.push({ left: x0 + 12, top: plotTop, width: cellWidth - 24 - valueWidth, height: plotHeight });
      xAxes.push({ type: 'value', gridIndex: gi, show: false, min: 'dataMin', max: 'dataMax' });
      yAxes.push({ type: 'value', gridIndex: gi, show: false, ...drawnAxis(y) });
      if (pr.raw) series.push(lineSeries(gi, toLineData(pr.raw, y), colour, 1, 0.3, 2));
      series.push(lineSeries(gi, toLineData(pr.main, y), colour, 1.8, 1, 3));
      const last = lastFinite(s.values);
      const label = `${s.split === 'val' ? 'val ' : ''}${s.key}`;
      graphics.push(text(x0 + cellWidth - 8, plotTop + plotHeight / 2 - 7, last === null ? 'NaN' : formatValue(last), last === null ? theme.nan : theme.text, 11, false, 'right'));
      graphics.push(text(x0 + cellWidth - 8, plotTop + plotHeight / 2 + 8, fitText(label, valueWidth, 9.5), theme.muted, 9.5, false, 'right'));
      if (pr.nonFinite.length) graphics.push(text(x0 + 12, plotTop + 6, '▼ NaN', theme.nan, 10));
    } else {
      graphics.push(text(x0 + 12, plotTop + plotHeight / 2, 'no curve logged yet', theme.muted, 10.5));
    }
    if (item.caption) graphics.push(text(x0 + 12, y0 + CELL_HEIGHT - 11, fitText(item.caption, cellWidth - 20, 10), theme.muted, 10));
  });
  if (hidden > 0) graphics.push(text(PAD + 2, height - footer / 2 - 4, `+${hidden} more run${hidden === 1 ? '' : 's'} not shown`, theme.muted, 11));

  return { option: baseOption(theme, graphics, grids, xAxes, yAxes, series), width, height, columns, cells, hidden };
}

/** The curve that says most about a run in a thumbnail: validation loss, else training loss, else the main metric. */
export function sparkSeries(series: readonly Series[]): Series | null {
  const longest = (list: Series[]) => list.reduce<Series | null>((b, s) => (!b || s.values.length > b.values.length ? s : b), null);
  const valLoss = longest(series.filter((s) => s.key === 'loss' && s.split === 'val' && s.values.length > 1));
  if (valLoss) return valLoss;
  const trainLoss = longest(series.filter((s) => s.key === 'loss' && s.split === 'train' && s.values.length > 1));
  if (trainLoss) return trainLoss;
  const key = chooseMetricKey(series);
  return key ? longest(series.filter((s) => s.key === key && s.values.length > 1)) : null;
}

function statusColour(theme: ChartTheme, status: DigestStatus): string {
  if (status === 'running') return theme.train;
  if (status === 'stalled') return theme.status.unknown;
  return theme.status[status];
}

function countsLine(items: readonly DigestItem[]): string {
  const n = (st: DigestStatus) => items.filter((i) => i.status === st).length;
  const parts: string[] = [];
  if (n('fail')) parts.push(`${n('fail')} failing`);
  if (n('warn')) parts.push(`${n('warn')} warning`);
  if (n('pass')) parts.push(`${n('pass')} healthy`);
  if (n('running')) parts.push(`${n('running')} running`);
  if (n('stalled')) parts.push(`${n('stalled')} stalled`);
  if (n('unknown')) parts.push(`${n('unknown')} unknown`);
  return parts.join(' · ') || 'no runs';
}

function lastFinite(values: Float64Array): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (Number.isFinite(values[i])) return values[i]!;
  return null;
}
