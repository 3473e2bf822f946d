import path from 'node:path';
import type { ChartFileOptions } from '../app/render-chart.ts';
import type { CliCommand, CliOption } from './command.ts';
import type { DemoStep } from './demo.ts';
import { UsageError } from './usage-error.ts';

/** Exit code of `chart` when a chart could not be drawn (the data cannot be pictured: bad input, not a crash). */
export const EXIT_CHART_NOT_DRAWN = 2;

/** The options `chart` and `diagnose --chart` share. */
export const CHART_STYLE_OPTIONS: Record<string, CliOption> = {
  theme: { type: 'string', valueName: 'dark|light', description: 'chart colours: dark (default, Discord dark mode) or light' },
  scale: { type: 'string', valueName: 'N', description: 'PNG pixels per chart pixel, 1–4 (default 1: 800×450)' },
};

export const chartCommand: CliCommand = {
  name: 'chart',
  summary: 'draw a run (stored, or a log file or directory) as a PNG: loss, main metric and lr, with the verdict marked',
  args: '<run|file|dir>',
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
    // Loaded here, not at the top: the renderer costs seconds that other subcommands should not pay.
    const [{ diagnoseTarget, storedRunContexts }, { writeRunCharts }] = await Promise.all([import('../app/load-diagnose-run.ts').then((m) => m.loadDiagnoseRun()), import('../app/render-chart.ts')]);
    // Marked from the verdict its job's measurements or its pushed context give, as `runmedic diagnose` shows it.
    const contexts = storedRunContexts({ jobs: ctx.openJobStore && (() => ctx.openJobStore!()), pushed: ctx.openPushStore && (() => ctx.openPushStore!()) });
    const runs = await diagnoseTarget(positionals[0]!, () => ctx.openStore(), { maxBytes: ctx.config.ingestMaxBytes, contexts });
    let missing = 0;
    for (const [i, w] of writeRunCharts(runs, out, style).entries()) {
      if (!w.problem) {
        ctx.out(w.file);
        continue;
      }
      // No picture: the checklist it would have shown, and why, on stderr (stdout lists only files written).
      missing++;
      const { checklistText } = await import('./diagnose.ts');
      for (const line of checklistText(runs[i]!)) ctx.err(line);
      ctx.err(`chart: ${w.file} not written. ${w.problem}`);
    }
    return missing > 0 ? EXIT_CHART_NOT_DRAWN : 0;
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

/** Where `runmedic demo` writes the examples' charts, relative to the working directory (beside ./runmedic.db). */
export const DEMO_CHART_DIR = 'runmedic-charts';

/** The demo step (appended to DEMO_STEPS in demo.ts): one PNG per ingested example run, verdict marked. */
export const chartIngestedStep: DemoStep = {
  title: `Draw every ingested run (PNG charts in ./${DEMO_CHART_DIR}/)`,
  async run(ctx, state) {
    const [{ writeRunCharts }, { diagnoseStored }] = await Promise.all([import('../app/render-chart.ts'), import('../app/load-diagnose-run.ts').then((m) => m.loadDiagnoseRun())]);
    const store = await ctx.openStore();
    for (const ing of state.ingested) {
      const run = await store.getRun(ing.run.id);
      if (!run) continue;
      const file = path.join(DEMO_CHART_DIR, `${safeFileName(run.name)}.png`);
      const [written] = writeRunCharts([{ run, verdict: diagnoseStored(run), from: 'store', notes: [] }], file);
      if (written!.problem) ctx.err(`${file} not written. ${written!.problem}`);
      else ctx.out(file);
    }
  },
};

/** A run name as a file name: letters, digits, dot, dash and underscore only. */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 80) || 'run';
}
