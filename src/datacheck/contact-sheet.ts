/**
 * The contact sheet of suspected label errors: each image large enough to judge, its name, the given label (struck
 * through, red) and the suggested one (green) with both probabilities. An SVG with the thumbnails embedded as PNGs;
 * rasterise() makes the PNG. Pure.
 */
import { CHART_FONT_FAMILY } from '../charts/fonts.ts';
import type { DataTable } from './table.ts';
import type { Suspect } from './checks/label-errors.ts';
import { encodePng, examplePixels } from './png-encode.ts';

export const SHEET_COLUMNS = 6;
const CELL_W = 132;
const IMG = 96;
const CELL_H = IMG + 52;
const PAD = 12;
const HEAD = 40;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function clip(s: string, max: number): string {
  return s.length > max ? `…${s.slice(s.length - max + 1)}` : s;
}

/** SVG of the suspects' images, or null when the table is not images or nothing is suspected. */
export function contactSheetSvg(t: DataTable, suspects: Suspect[], title: string): string | null {
  if (t.kind !== 'images' || suspects.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const v of t.x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    min = 0;
    max = 1;
  }
  // Images drawn on a white-on-dark scale when they are light strokes on black (MNIST), as they are.
  const cols = Math.min(SHEET_COLUMNS, suspects.length);
  const rows = Math.ceil(suspects.length / cols);
  const width = PAD * 2 + cols * CELL_W;
  const height = HEAD + PAD + rows * CELL_H;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#313338"/>`,
    `<text x="${PAD}" y="26" font-family="${CHART_FONT_FAMILY}" font-size="16" font-weight="bold" fill="#dbdee1">${esc(clip(title, 90))}</text>`,
  ];
  const [h, w] = [t.inputShape[0]!, t.inputShape[1]!];
  const scale = Math.min(IMG / w, IMG / h);
  const dw = Math.round(w * scale);
  const dh = Math.round(h * scale);
  suspects.forEach((s, k) => {
    const x0 = PAD + (k % cols) * CELL_W;
    const y0 = HEAD + Math.floor(k / cols) * CELL_H;
    const { pixels, channels } = examplePixels(t.x, s.index, t.inputShape, min, max);
    const png = encodePng(pixels, w, h, channels);
    const href = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
    const ix = x0 + (CELL_W - dw) / 2;
    parts.push(
      `<rect x="${ix - 1}" y="${y0 - 1}" width="${dw + 2}" height="${dh + 2}" fill="none" stroke="#6d717a" stroke-width="1"/>`,
      `<image x="${ix}" y="${y0}" width="${dw}" height="${dh}" preserveAspectRatio="none" style="image-rendering:pixelated" image-rendering="optimizeSpeed" xlink:href="${href}" href="${href}"/>`,
      `<text x="${x0 + CELL_W / 2}" y="${y0 + IMG + 18}" text-anchor="middle" font-family="${CHART_FONT_FAMILY}" font-size="14" fill="#dbdee1">` +
        `<tspan fill="#f23f43" text-decoration="line-through">${esc(clip(s.given, 8))}</tspan><tspan fill="#949ba4"> → </tspan><tspan fill="#4fd18b" font-weight="bold">${esc(clip(s.suggested, 8))}</tspan></text>`,
      `<text x="${x0 + CELL_W / 2}" y="${y0 + IMG + 33}" text-anchor="middle" font-family="${CHART_FONT_FAMILY}" font-size="10" fill="#949ba4">p ${s.givenProb.toFixed(2)} → ${s.suggestedProb.toFixed(2)}</text>`,
      `<text x="${x0 + CELL_W / 2}" y="${y0 + IMG + 46}" text-anchor="middle" font-family="${CHART_FONT_FAMILY}" font-size="10" fill="#949ba4">${esc(clip(s.name, 20))}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
