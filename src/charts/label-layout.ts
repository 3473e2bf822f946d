/**
 * Placing short text labels in rows so that none overlap: charts are read at Discord's preview size, where two
 * marks a few epochs apart would otherwise print their labels on top of each other.
 */

/** Approximate advance width of `text` in DejaVu Sans at `fontSize` px (per-class averages of the font's metrics). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if (ch === ' ') em += 0.318;
    else if (/[0-9]/.test(ch)) em += 0.636;
    else if (/[ijlI.,:;'|!]/.test(ch)) em += 0.29;
    else if (/[ftr()[\]\-]/.test(ch)) em += 0.4;
    else if (/[mw]/.test(ch)) em += 0.93;
    else if (/[A-Z]/.test(ch)) em += 0.72;
    else if (/[a-z]/.test(ch)) em += 0.6;
    else em += 0.8; // symbols, arrows, non-Latin
  }
  // DejaVu Sans Bold runs about 12 % wider; the extra margin keeps neighbours apart rather than touching.
  return em * fontSize * (bold ? 1.16 : 1);
}

/** Shortens `text` with an ellipsis so it fits `maxWidth` px. */
export function fitText(text: string, maxWidth: number, fontSize: number, bold = false): string {
  if (textWidth(text, fontSize, bold) <= maxWidth) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (textWidth(chars.slice(0, mid).join('') + '…', fontSize, bold) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('').trimEnd() + '…';
}

export interface LabelRequest {
  /** Anchor x in px: the centre of the label (anchor 'middle') or its left edge ('start'). */
  x: number;
  width: number;
  anchor: 'middle' | 'start';
}

export interface PlacedLabel {
  /** Left edge in px after clamping inside [left, right]. */
  left: number;
  /** Row index from the top, or -1 when no row had room (the caller draws the mark without its text). */
  row: number;
}

/**
 * Greedy interval packing, in order of x: each label goes to the first row where it does not touch the previous
 * label of that row. Labels are shifted to stay inside [left, right].
 */
export function layoutLabels(labels: readonly LabelRequest[], bounds: { left: number; right: number }, rows: number, gap = 6): PlacedLabel[] {
  const placed: PlacedLabel[] = labels.map(() => ({ left: 0, row: -1 }));
  const order = labels.map((_, i) => i).sort((a, b) => labels[a]!.x - labels[b]!.x);
  const rowEnds = new Array<number>(rows).fill(-Infinity);
  for (const i of order) {
    const l = labels[i]!;
    let left = l.anchor === 'middle' ? l.x - l.width / 2 : l.x;
    left = Math.min(Math.max(left, bounds.left), bounds.right - l.width);
    left = Math.max(left, bounds.left);
    for (let r = 0; r < rows; r++) {
      if (left >= rowEnds[r]! + gap) {
        placed[i] = { left, row: r };
        rowEnds[r] = left + l.width;
        break;
      }
    }
  }
  return placed;
}
