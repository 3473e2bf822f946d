/**
 * Shortens text to a character budget without cutting a sentence: whole sentences are kept while they fit,
 * then " …" marks that more was said. Only when even the first sentence is too long is it cut, at a word boundary.
 */
const ELLIPSIS = ' …';

export function fitText(text: string, max: number): string {
  const clean = text.trim();
  if (clean.length <= max) return clean;
  if (max <= ELLIPSIS.length) return '…'.slice(0, Math.max(0, max));
  const budget = max - ELLIPSIS.length;
  const sentences = splitSentences(clean);
  let out = '';
  for (const s of sentences) {
    const next = out ? `${out} ${s}` : s;
    if (next.length > budget) break;
    out = next;
  }
  if (out) return out + ELLIPSIS;
  return cutAtWord(clean, budget) + ELLIPSIS;
}

/** Sentences end at . ! ? followed by a space; decimals such as "0.509" are not boundaries. */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=[A-Z0-9(`*"'])/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

function cutAtWord(text: string, budget: number): string {
  const slice = text.slice(0, budget);
  const space = slice.lastIndexOf(' ');
  return (space > budget / 2 ? slice.slice(0, space) : slice).replace(/[\s,;:–-]+$/u, '');
}
