import { describe, expect, it } from 'vitest';
import { ChartFontError, chartFonts, defaultFontFiles, loadChartFonts } from '../../src/charts/fonts.ts';

describe('chart fonts', () => {
  it('ships DejaVu Sans regular and bold and draws text with them', () => {
    const files = defaultFontFiles();
    expect(files.map((f) => f.split(/[\\/]/).pop())).toEqual(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']);
    const fonts = chartFonts();
    expect(fonts.family).toBe('DejaVu Sans');
    expect(fonts.files.map((f) => f.split(/[\\/]/).pop())).toEqual(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']);
  });

  it('fails loudly when a font file is missing', () => {
    expect(() => loadChartFonts(['/nonexistent/DejaVuSans.ttf'])).toThrow(ChartFontError);
  });

  it('fails loudly when no font is loaded (resvg would silently drop every text)', () => {
    expect(() => loadChartFonts([])).toThrow(/draw no text/);
  });
});
