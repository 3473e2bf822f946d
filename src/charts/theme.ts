import type { ItemStatus, VerdictStatus } from '../domain/verdict.ts';

export type ThemeName = 'dark' | 'light';

/** Colours of one chart theme. Dark matches Discord's dark message background so the PNG sits flush in chat. */
export interface ChartTheme {
  name: ThemeName;
  background: string;
  text: string;
  muted: string;
  axis: string;
  grid: string;
  /** Colour per split: train is always the first colour, validation the second. */
  train: string;
  val: string;
  test: string;
  lr: string;
  /** The six colours of a compare chart, one per run. */
  palette: string[];
  status: Record<ItemStatus, string>;
  /** Opacity of a verdict band's fill, tinted with its item's status colour. */
  bandOpacity: number;
  labelBackground: string;
  nan: string;
}

export const DARK: ChartTheme = {
  name: 'dark',
  background: '#313338',
  text: '#dbdee1',
  muted: '#949ba4',
  axis: '#6d717a',
  grid: '#3f4248',
  train: '#5aa7ff',
  val: '#ffa24c',
  test: '#c792ea',
  lr: '#a3acb9',
  palette: ['#5aa7ff', '#ffa24c', '#4fd18b', '#f47fb2', '#c792ea', '#e8d44d'],
  status: { fail: '#f23f43', warn: '#f0b232', pass: '#23a55a', unknown: '#80848e' },
  bandOpacity: 0.11,
  labelBackground: 'rgba(43, 45, 49, 0.88)',
  nan: '#ff5c5f',
};

export const LIGHT: ChartTheme = {
  name: 'light',
  background: '#ffffff',
  text: '#2e3338',
  muted: '#5c5e66',
  axis: '#8e9297',
  grid: '#e6e7ea',
  train: '#1f6feb',
  val: '#d9640b',
  test: '#8250df',
  lr: '#6a737d',
  palette: ['#1f6feb', '#d9640b', '#1a7f37', '#cf222e', '#8250df', '#9a6700'],
  status: { fail: '#d92b2f', warn: '#b7791f', pass: '#1a7f37', unknown: '#6a737d' },
  bandOpacity: 0.09,
  labelBackground: 'rgba(255, 255, 255, 0.9)',
  nan: '#d92b2f',
};

export function chartTheme(name: ThemeName | undefined): ChartTheme {
  return name === 'light' ? LIGHT : DARK;
}

export function statusColour(theme: ChartTheme, status: VerdictStatus | ItemStatus): string {
  return theme.status[status];
}

/** '#rrggbb' → 'rgba(r, g, b, a)'. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  return `rgba(${parseInt(m[1]!, 16)}, ${parseInt(m[2]!, 16)}, ${parseInt(m[3]!, 16)}, ${alpha})`;
}
