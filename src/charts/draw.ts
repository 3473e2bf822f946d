/** Drawing primitives shared by the charts: ECharts option pieces with the chart font and no interaction. */
import { CHART_FONT_FAMILY } from './fonts.ts';
import { formatAxisNumber, formatValue } from './format-number.ts';
import type { LinePoint } from './prepare-line.ts';
import type { ChartOption } from './render-svg.ts';
import type { ChartTheme } from './theme.ts';

export const FONT = `'${CHART_FONT_FAMILY}', sans-serif`;

export function lineSeries(axis: number, data: LinePoint[], colour: string, width: number, opacity: number, z: number) {
  return {
    type: 'line',
    xAxisIndex: axis,
    yAxisIndex: axis,
    data,
    silent: true,
    animation: false,
    showSymbol: false,
    symbol: 'none',
    connectNulls: false,
    clip: true,
    lineStyle: { color: colour, width, opacity },
    itemStyle: { color: colour },
    emphasis: { disabled: true },
    z,
  };
}

export function baseOption(theme: ChartTheme, graphic: unknown[], grid: unknown[], xAxis: unknown[], yAxis: unknown[], series: unknown[]): ChartOption {
  return {
    animation: false,
    backgroundColor: theme.background,
    textStyle: { fontFamily: FONT, color: theme.text },
    grid,
    xAxis,
    yAxis,
    series,
    graphic: { elements: graphic },
  };
}

export function text(x: number, y: number, s: string, fill: string, size: number, bold = false, align: 'left' | 'center' | 'right' = 'left') {
  // zrender caches text by content in a plain object: a run named exactly "__proto__" replaced that object's
  // prototype, and every chart the process drew afterwards had broken SVG. A trailing no-break space is invisible.
  if (s === '__proto__') s = '__proto__\u00a0';
  return {
    type: 'text',
    x,
    y,
    silent: true,
    z: 100,
    // resvg ignores the CSS `font` shorthand, so size, weight and family go separately.
    style: { text: s, fill, fontSize: size, fontWeight: bold ? 'bold' : 'normal', fontFamily: FONT, textAlign: align, textVerticalAlign: 'middle' },
  };
}

export function box(x: number, y: number, w: number, h: number, fill: string, r = 0) {
  return { type: 'rect', silent: true, z: 99, shape: { x, y, width: w, height: h, r }, style: { fill } };
}

/** An x value for a label: integers as they are, fractional epochs to two decimals. */
export function formatX(x: number): string {
  return Number.isInteger(x) ? formatAxisNumber(x) : formatValue(Number(x.toFixed(2)));
}
