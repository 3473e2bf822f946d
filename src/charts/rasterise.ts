import { Resvg } from '@resvg/resvg-js';
import { ChartError } from './chart-error.ts';
import { assertRasterisable } from './drawable.ts';
import { chartFonts, resvgOptions, type ChartFonts } from './fonts.ts';

/**
 * SVG text → PNG bytes at `scale` × the SVG's size, drawn with the shipped fonts only. The SVG is checked first
 * (assertRasterisable): resvg aborts the process on some coordinates, so those are a ChartError here instead.
 */
export function rasterise(svg: string, scale = 1, fonts: ChartFonts = chartFonts()): Uint8Array {
  const size = svgSize(svg);
  if (!size) throw new ChartError('the picture has no width and height');
  assertRasterisable(svg, size.width, size.height);
  const resvg = new Resvg(svg, {
    ...resvgOptions(fonts),
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    shapeRendering: 2,
    textRendering: 1,
  });
  const png = resvg.render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** width and height of the root <svg> element, in px. */
export function svgSize(svg: string): { width: number; height: number } | null {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0];
  if (!root) return null;
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  return width > 0 && height > 0 ? { width, height } : null;
}
