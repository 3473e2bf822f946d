import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stripFontTables, tableTags } from '../../src/charts/font-tables.ts';
import { defaultFontFiles, layoutFreeCopies, loadChartFonts } from '../../src/charts/fonts.ts';

describe('stripFontTables', () => {
  const regular = new Uint8Array(readFileSync(defaultFontFiles()[0]!));

  it('drops the layout tables and keeps what draws glyphs', () => {
    expect(tableTags(regular)).toEqual(expect.arrayContaining(['GSUB', 'GPOS', 'glyf', 'cmap', 'name']));
    const stripped = stripFontTables(regular);
    const tags = tableTags(stripped);
    expect(tags).not.toContain('GSUB');
    expect(tags).not.toContain('GPOS');
    expect(tags).not.toContain('kern');
    expect(tags).toEqual(expect.arrayContaining(['glyf', 'loca', 'cmap', 'name', 'head', 'hhea', 'hmtx', 'maxp']));
    expect(stripped.byteLength).toBeLessThan(regular.byteLength);
  });

  it('rejects a file whose table directory points past its end', () => {
    expect(() => stripFontTables(regular.subarray(0, 4000))).toThrow(/runs past the end/);
    expect(() => stripFontTables(new Uint8Array(4))).toThrow(/not a font/);
  });

  it('writes copies that still draw text, once, reusing them afterwards', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-fonttest-'));
    try {
      const copies = layoutFreeCopies(defaultFontFiles(), dir);
      expect(copies.map((f) => path.basename(f))).toEqual(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']);
      expect(loadChartFonts(copies).files).toEqual(copies); // the probe glyph draws
      expect(layoutFreeCopies(defaultFontFiles(), dir)).toEqual(copies);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
