/**
 * Charts as every face gets them: a PNG, or, when the chart cannot be drawn, no PNG and the one sentence to show in
 * its place (the checklist never depends on the picture). Planning and SVG run here; the SVG → PNG step goes through a
 * Rasteriser: this process for one-shot commands, a child process for the long-running service
 * (rasteriser-process.ts), so a native abort in the rasteriser cannot take the bot, the API and the scheduler down.
 */
import { chartProblemSentence } from '../charts/chart-error.ts';
import { rasterise } from '../charts/rasterise.ts';
import type { Logger } from '../logger.ts';

/** SVG text → PNG bytes at `scale` × the SVG's size. Rejects with a ChartError (or any error) when it cannot. */
export type Rasteriser = (svg: string, scale: number) => Promise<Uint8Array>;

/** Rasterises in this process (the CLI, tests). */
export const rasteriseHere: Rasteriser = async (svg, scale) => rasterise(svg, scale);

export interface DrawnChart {
  /** PNG bytes, or null when the chart could not be drawn. */
  png: Uint8Array | null;
  /** The sentence shown instead of the chart; null when there is a chart. */
  problem: string | null;
}

/**
 * Draws a chart: `svgOf` plans and renders the SVG (pure, may throw), the rasteriser makes the PNG. Any failure of
 * either becomes `{ png: null, problem }`, logged as a warning with `what` (e.g. { runId }).
 */
export async function drawChart(
  svgOf: () => { svg: string; scale?: number },
  raster: Rasteriser = rasteriseHere,
  o: { log?: Logger; what?: Record<string, unknown> } = {},
): Promise<DrawnChart> {
  try {
    const { svg, scale } = svgOf();
    return { png: await raster(svg, scale ?? 1), problem: null };
  } catch (e) {
    o.log?.warn({ ...o.what, err: e instanceof Error ? e.message : String(e) }, 'chart not drawn; answering without it');
    return { png: null, problem: chartProblemSentence(e) };
  }
}
