import { Resvg } from '@resvg/resvg-js';
import { chartFonts, resvgOptions, type ChartFonts } from './fonts.ts';

/** SVG text → PNG bytes at `scale` × the SVG's size, drawn with the shipped fonts only. */
export function rasterise(svg: string, scale = 1, fonts: ChartFonts = chartFonts()): Uint8Array {
  const resvg = new Resvg(svg, {
    ...resvgOptions(fonts),
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    shapeRendering: 2,
    textRendering: 1,
  });
  const png = resvg.render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
