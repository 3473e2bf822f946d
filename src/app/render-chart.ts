/**
 * The chart use case: a diagnosed run (from `diagnoseTarget`) → a PNG of its curves with the verdict's marks.
 * Shared by `runmedic chart`, `runmedic diagnose --chart` and the demo; the bot renders through `renderRunChart`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Verdict } from '../domain/verdict.ts';
import { renderRunChart, type ChartRun } from '../charts/run-chart.ts';
import { chartProblemSentence } from '../charts/chart-error.ts';
import type { ThemeName } from '../charts/theme.ts';
import type { DiagnosedRun } from './diagnose-run.ts';

/** A diagnosed run with its curves: what `diagnoseTarget` (src/app/diagnose-run.ts) answers, and what a chart draws. */
export type ChartedRun = DiagnosedRun;

export interface ChartFileOptions {
  theme?: ThemeName;
  /** PNG pixels per SVG pixel (2 for sharp images on high-density screens). */
  scale?: number;
}

/**
 * Where the charts of `count` runs go when the user named one file: that file for a single run, else
 * `name-1.png`, `name-2.png` … beside it (a Keras CSV with appended runs holds several).
 */
export function chartPaths(out: string, count: number): string[] {
  if (count === 1) return [out];
  const ext = path.extname(out) || '.png';
  const base = out.slice(0, out.length - path.extname(out).length);
  return Array.from({ length: count }, (_, i) => `${base}-${i + 1}${ext}`);
}

/** Renders and writes one PNG; creates the directory. Returns the number of bytes written. */
export function writeRunChart(file: string, run: ChartRun, verdict: Verdict | null, opts: ChartFileOptions = {}): number {
  const { png } = renderRunChart(run, verdict, { theme: opts.theme, scale: opts.scale });
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, png);
  return png.byteLength;
}

export interface WrittenChart {
  file: string;
  /** Null when the file was written; else the sentence saying why the chart could not be drawn (nothing written). */
  problem: string | null;
}

/**
 * Writes the chart of every run to `chartPaths(out, runs.length)`. A chart that cannot be drawn is reported with its
 * sentence instead of failing the command: the checklist does not depend on it.
 */
export function writeRunCharts(runs: ChartedRun[], out: string, opts: ChartFileOptions = {}): WrittenChart[] {
  const paths = chartPaths(out, runs.length);
  return runs.map((r, i) => {
    let png: Uint8Array;
    try {
      png = renderRunChart(r.run, r.verdict, { theme: opts.theme, scale: opts.scale }).png;
    } catch (e) {
      return { file: paths[i]!, problem: chartProblemSentence(e) };
    }
    mkdirSync(path.dirname(path.resolve(paths[i]!)), { recursive: true });
    writeFileSync(paths[i]!, png);
    return { file: paths[i]!, problem: null };
  });
}
