/**
 * A TrueType font without its OpenType layout tables, for chart labels.
 *
 * resvg shapes every <text> element on its own and parses the font's layout tables each time; DejaVu Sans carries
 * large GSUB/GPOS/kern tables for scripts and ligatures a chart label never uses, which made text the most expensive
 * part of rasterising a chart (about 2 ms a label, ~45 labels a chart). Without them a label is laid out from the
 * glyph advances alone, which for Latin digits and words looks the same.
 */

/** Tables dropped: OpenType layout (GSUB, GPOS, GDEF), legacy kerning, math layout, glyph names, FontForge stamp. */
export const DROPPED_TABLES = new Set(['GSUB', 'GPOS', 'GDEF', 'kern', 'MATH', 'post', 'FFTM']);

/** The table tags of a TrueType/OpenType font file, in directory order. */
export function tableTags(font: Uint8Array): string[] {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const n = view.getUint16(4);
  return Array.from({ length: n }, (_, i) => String.fromCharCode(...font.subarray(12 + i * 16, 16 + i * 16)));
}

/** A copy of `font` without the tables in `drop`, its table directory rebuilt (tables 4-byte aligned). */
export function stripFontTables(font: Uint8Array, drop: ReadonlySet<string> = DROPPED_TABLES): Uint8Array {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  if (font.byteLength < 12) throw new RangeError('not a font: shorter than its header');
  const count = view.getUint16(4);
  const kept: Array<{ tag: Uint8Array; checksum: number; data: Uint8Array }> = [];
  for (let i = 0; i < count; i++) {
    const o = 12 + i * 16;
    const tag = font.subarray(o, o + 4);
    const offset = view.getUint32(o + 8);
    const length = view.getUint32(o + 12);
    if (offset + length > font.byteLength) throw new RangeError(`font table ${String.fromCharCode(...tag)} runs past the end of the file`);
    if (drop.has(String.fromCharCode(...tag))) continue;
    kept.push({ tag, checksum: view.getUint32(o + 4), data: font.subarray(offset, offset + length) });
  }
  const n = kept.length;
  const headerSize = 12 + 16 * n;
  const total = kept.reduce((sum, t) => sum + Math.ceil(t.data.length / 4) * 4, headerSize);
  const out = new Uint8Array(total);
  const w = new DataView(out.buffer);
  out.set(font.subarray(0, 4), 0); // sfnt version
  const entrySelector = Math.floor(Math.log2(Math.max(n, 1)));
  w.setUint16(4, n);
  w.setUint16(6, 2 ** entrySelector * 16);
  w.setUint16(8, entrySelector);
  w.setUint16(10, n * 16 - 2 ** entrySelector * 16);
  let offset = headerSize;
  kept.forEach((t, i) => {
    const o = 12 + i * 16;
    out.set(t.tag, o);
    w.setUint32(o + 4, t.checksum);
    w.setUint32(o + 8, offset);
    w.setUint32(o + 12, t.data.length);
    out.set(t.data, offset);
    offset += Math.ceil(t.data.length / 4) * 4;
  });
  return out;
}
