/**
 * The fonts charts are rasterised with, shipped with the package (DejaVu Sans from `dejavu-fonts-ttf`).
 *
 * This is the chart module's one edge with I/O: resolving and checking the font files, once per process. Without a
 * usable font resvg draws every text element as nothing and reports no error, so a chart would lose its title, axes and
 * labels silently; `loadChartFonts` renders a probe glyph and throws when no ink comes out.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { stripFontTables } from './font-tables.ts';

export const CHART_FONT_FAMILY = 'DejaVu Sans';

export interface ChartFonts {
  family: string;
  files: string[];
}

export class ChartFontError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChartFontError';
  }
}

let loaded: ChartFonts | undefined;

/**
 * The shipped fonts, checked on first use and then reused. Throws ChartFontError when they cannot draw text.
 * Prefers copies without layout tables (see font-tables.ts: text rasterises about twice as fast), cached in the temp
 * directory; where they cannot be written or do not draw, the package's files are used as they are.
 */
export function chartFonts(): ChartFonts {
  if (loaded) return loaded;
  const originals = defaultFontFiles();
  try {
    loaded = loadChartFonts(layoutFreeCopies(originals));
  } catch {
    loaded = loadChartFonts(originals);
  }
  return loaded;
}

/** Layout-free copies of `files` in `<tmp>/runmedic-fonts-<hash>/`, written once (atomically) and reused. */
export function layoutFreeCopies(files: string[], dir = os.tmpdir()): string[] {
  return files.map((file) => {
    const bytes = readFileSync(file);
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    const target = path.join(dir, `runmedic-fonts-${hash}`, path.basename(file));
    if (!existsSync(target)) {
      mkdirSync(path.dirname(target), { recursive: true });
      const partial = `${target}.${process.pid}.tmp`;
      writeFileSync(partial, stripFontTables(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
      renameSync(partial, target);
    }
    return target;
  });
}

/** DejaVu Sans regular and bold inside the installed `dejavu-fonts-ttf` package. */
export function defaultFontFiles(): string[] {
  const require = createRequire(import.meta.url);
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => {
    try {
      return require.resolve(`dejavu-fonts-ttf/ttf/${f}`);
    } catch {
      throw new ChartFontError(`chart font ${f} not found: is the dependency dejavu-fonts-ttf installed? (npm install)`);
    }
  });
}

/** Checks that `files` exist and that resvg draws text with them. */
export function loadChartFonts(files: string[], family = CHART_FONT_FAMILY): ChartFonts {
  for (const f of files) if (!existsSync(f)) throw new ChartFontError(`chart font file missing: ${f}`);
  const fonts = { family, files };
  const probe = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="24"><text x="2" y="18" font-family="${family}" font-size="16" fill="#000">Hg</text></svg>`;
  const pixels = new Resvg(probe, resvgOptions(fonts)).render().pixels;
  let ink = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) ink++;
  if (ink === 0) {
    throw new ChartFontError(`chart fonts loaded from ${files.join(', ')} draw no text (family "${family}" not found in them)`);
  }
  return fonts;
}

/** resvg options that use only the given fonts: system fonts differ between machines and may be absent. */
export function resvgOptions(fonts: ChartFonts) {
  return {
    font: {
      loadSystemFonts: false,
      fontFiles: fonts.files,
      defaultFontFamily: fonts.family,
      sansSerifFamily: fonts.family,
    },
  };
}
