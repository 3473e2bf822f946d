/** Reading back what the charts wrote: PNG header fields and the texts of the SVG stage. */
import { textWidth } from '../../src/charts/label-layout.ts';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export function pngSize(png: Uint8Array): { width: number; height: number } {
  expectSignature(png);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const type = String.fromCharCode(...png.subarray(12, 16));
  if (type !== 'IHDR') throw new Error(`first PNG chunk is ${type}, expected IHDR`);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function expectSignature(png: Uint8Array): void {
  SIGNATURE.forEach((b, i) => {
    if (png[i] !== b) throw new Error(`not a PNG: byte ${i} is ${png[i]}, expected ${b}`);
  });
}

export interface SvgText {
  text: string;
  x: number;
  y: number;
  size: number;
  anchor: string;
}

/** Every <text> of an ECharts SVG with its position (translate or x/y) and font size. */
export function svgTexts(svg: string): SvgText[] {
  const out: SvgText[] = [];
  for (const m of svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)) {
    const attrs = m[1]!;
    const t = /translate\(([-\d.e]+)[ ,]([-\d.e]+)\)/.exec(attrs);
    const mx = /matrix\([^)]*?([-\d.e]+)[ ,]([-\d.e]+)\)/.exec(attrs);
    const xy = t ?? mx;
    const size = /font-size:\s*([\d.]+)px/.exec(attrs);
    out.push({
      text: decode(m[2]!),
      x: xy ? Number(xy[1]) : Number(/\sx="([-\d.]+)"/.exec(attrs)?.[1] ?? 0),
      y: xy ? Number(xy[2]) : Number(/\sy="([-\d.]+)"/.exec(attrs)?.[1] ?? 0),
      size: size ? Number(size[1]) : 12,
      anchor: /text-anchor="(\w+)"/.exec(attrs)?.[1] ?? 'start',
    });
  }
  return out;
}

function decode(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Approximate box of a text element (left-anchored labels, as the chart places them). */
export function textBox(t: SvgText): { left: number; right: number; top: number; bottom: number } {
  const w = textWidth(t.text, t.size);
  const left = t.anchor === 'middle' ? t.x - w / 2 : t.anchor === 'end' ? t.x - w : t.x;
  return { left, right: left + w, top: t.y - t.size / 2, bottom: t.y + t.size / 2 };
}

export function overlaps(a: ReturnType<typeof textBox>, b: ReturnType<typeof textBox>): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}
