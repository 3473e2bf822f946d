import { diagnoseForChart, writeRunCharts, type ChartFileOptions } from '../app/render-chart.ts';
import type { CliCommand, CliOption } from './command.ts';
import { UsageError } from './usage-error.ts';

/** The options `chart` and `diagnose --chart` share. */
export const CHART_STYLE_OPTIONS: Record<string, CliOption> = {
  theme: { type: 'string', valueName: 'dark|light', description: 'chart colours: dark (default, Discord dark mode) or light' },
  scale: { type: 'string', valueName: 'N', description: 'PNG pixels per chart pixel, 1–4 (default 1: 800×450)' },
};

export const chartCommand: CliCommand = {
  name: 'chart',
  summary: 'draw a run (stored, or a log file) as a PNG: loss, main metric and lr, with the verdict marked',
  args: '<run|file>',
  minArgs: 1,
  maxArgs: 1,
  options: {
    out: { type: 'string', short: 'o', valueName: 'FILE', description: 'the PNG to write (name-1.png, name-2.png … when a file holds several runs)' },
    ...CHART_STYLE_OPTIONS,
  },
  async run(ctx, { positionals, values }) {
    const out = values.out;
    if (typeof out !== 'string' || out.trim() === '') throw new UsageError('-o/--out: expected the PNG file to write', 'chart');
    const style = chartStyle(values, 'chart');
    const runs = await diagnoseForChart(positionals[0]!, () => ctx.openStore(), { maxBytes: ctx.config.ingestMaxBytes });
    for (const file of writeRunCharts(runs, out, style)) ctx.out(file);
  },
};

/** Validates --theme and --scale. */
export function chartStyle(values: Record<string, unknown>, command: string): ChartFileOptions {
  const theme = values.theme;
  if (theme !== undefined && theme !== 'dark' && theme !== 'light') {
    throw new UsageError(`--theme: expected dark or light, got "${String(theme)}"`, command);
  }
  let scale: number | undefined;
  if (values.scale !== undefined) {
    scale = Number(values.scale);
    if (typeof values.scale !== 'string' || !Number.isFinite(scale) || scale < 1 || scale > 4) {
      throw new UsageError(`--scale: expected a number from 1 to 4, got "${String(values.scale)}"`, command);
    }
  }
  return { theme, scale };
}
