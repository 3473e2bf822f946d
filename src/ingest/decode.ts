import { isUtf8 } from 'node:buffer';
import { IngestError } from './ingest-error.ts';

/** The longest line a line-oriented log may have, in UTF-16 code units (≈ bytes for ASCII logs). */
export const MAX_LINE_CHARS = 1024 * 1024;
/** How much of the start of a file the binary check looks at. */
const BINARY_SAMPLE_CHARS = 64 * 1024;
/** Control characters (other than tab, newlines, backspace, form feed, escape) tolerated in that sample before a file is called binary. */
const MAX_STRAY_CONTROL_CHARS = 32;
/** How many leading bytes decide whether a BOM-less file is UTF-16. */
const UTF16_SAMPLE_BYTES = 4096;

/** How much of the text `sniff()` sees: enough for a long console preamble or a JSONL header line. */
export const SNIFF_PREFIX_BYTES = 2 * 1024 * 1024;

/** A validated text file: its UTF-8 bytes (for the byte-level CSV tokenizer), a prefix to sniff, and the whole text on demand. */
export interface TextSource {
  /** UTF-8 bytes without a BOM; for a UTF-16 file, the text re-encoded as UTF-8. */
  utf8: Uint8Array;
  /** The start of the text (about SNIFF_PREFIX_BYTES), cut at a line break when the file is longer. */
  prefix: string;
  /** The whole text (decoded once, on first use). */
  text(): string;
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/**
 * Bytes of a log file → a validated text source. Strips a UTF-8 BOM; decodes UTF-16 (LE/BE, with a BOM or recognised
 * by its NUL pattern) because Windows PowerShell writes redirected console output that way; refuses empty files,
 * binary data and invalid UTF-8 with an IngestError naming the byte offset and line. Validation does not build the
 * whole string, so a 100 MB CSV can be tokenised straight from its bytes.
 */
export function openText(bytes: Uint8Array, fileName: string): TextSource {
  if (bytes.length === 0) throw new IngestError({ file: fileName, reason: 'empty file: expected a training log' });
  const utf16 = detectUtf16(bytes);
  if (utf16) {
    const start = utf16.bomLength;
    const body = bytes.subarray(start, start + ((bytes.length - start) & ~1));
    const text = new TextDecoder(utf16.encoding, { fatal: false }).decode(body);
    const nul = text.indexOf('\0');
    if (nul >= 0) throw binaryError(fileName, `NUL character at character ${nul} of the UTF-16 text`);
    checkTextContent(text, fileName);
    const utf8 = utf8Encoder.encode(text);
    return { utf8, prefix: cutPrefix(text), text: () => text };
  }
  const bomLength = hasUtf8Bom(bytes) ? 3 : 0;
  const body = bytes.subarray(bomLength);
  const nul = body.indexOf(0);
  if (nul >= 0) throw binaryError(fileName, `NUL byte at byte ${nul + bomLength}`);
  if (!isUtf8(body)) {
    const offset = firstInvalidUtf8(body) + bomLength;
    throw new IngestError({
      file: fileName,
      line: lineOfByte(bytes, offset),
      reason: `invalid UTF-8 at byte ${offset}: expected a UTF-8 (or UTF-16) text log; re-save the file as UTF-8`,
    });
  }
  const prefix = cutPrefix(utf8Decoder.decode(body.subarray(0, SNIFF_PREFIX_BYTES + 4)), body.length > SNIFF_PREFIX_BYTES + 4);
  if (body.length <= SNIFF_PREFIX_BYTES + 4) checkTextContent(prefix, fileName);
  else checkTextContent(prefix, fileName, false);
  let text: string | null = null;
  return { utf8: body, prefix, text: () => (text ??= utf8Decoder.decode(body)) };
}

/** Share of a text's bytes that may be undecodable (or NUL) for `openTextLenient` to still read it. */
const MAX_DAMAGED_SHARE = 0.05;

/**
 * A console log with a few bytes that are not UTF-8 (a CP949 file name in a table, a cp1252 dash in a banner) or a
 * run of NULs (a log file cut by a crash): what a terminal would show, with those bytes replaced (U+FFFD) or dropped.
 * Only the general console reader uses it, and only when `openText` refused the bytes; null when the damage is more
 * than MAX_DAMAGED_SHARE of the bytes (binary data) or the text has the control characters of a binary file.
 */
export function openTextLenient(bytes: Uint8Array, fileName: string): { source: TextSource; replaced: number; nulsDropped: number } | null {
  if (bytes.length === 0 || detectUtf16(bytes)) return null;
  const body = bytes.subarray(hasUtf8Bom(bytes) ? 3 : 0);
  let nuls = 0;
  for (let i = body.indexOf(0); i >= 0; i = body.indexOf(0, i + 1)) nuls++;
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(body);
  let replaced = 0;
  for (let i = decoded.indexOf('\uFFFD'); i >= 0; i = decoded.indexOf('\uFFFD', i + 1)) replaced++;
  if (replaced + nuls > Math.max(16, body.length * MAX_DAMAGED_SHARE)) return null;
  const text = nuls ? decoded.replace(/\0+/g, '') : decoded;
  try {
    checkTextContent(text, fileName);
  } catch {
    return null;
  }
  const utf8 = utf8Encoder.encode(text);
  return { source: { utf8, prefix: cutPrefix(text), text: () => text }, replaced, nulsDropped: nuls };
}

/** The whole text of a log file, validated as `openText` does. */
export function decodeText(bytes: Uint8Array, fileName: string): string {
  return openText(bytes, fileName).text();
}

function cutPrefix(text: string, truncated = text.length > SNIFF_PREFIX_BYTES): string {
  if (!truncated) return text;
  const cut = text.lastIndexOf('\n', SNIFF_PREFIX_BYTES);
  return cut > 0 ? text.slice(0, cut + 1) : text.slice(0, SNIFF_PREFIX_BYTES);
}

function checkTextContent(text: string, fileName: string, whole = true): void {
  if (whole && text.trim().length === 0) throw new IngestError({ file: fileName, reason: 'empty file (only whitespace): expected a training log' });
  const stray = countStrayControls(text);
  if (stray > MAX_STRAY_CONTROL_CHARS) throw binaryError(fileName, `${stray} control characters in the first ${BINARY_SAMPLE_CHARS} characters`);
}

/** Throws when a line is longer than `max` characters. `\r` counts as a line break (console progress bars rewrite lines with it). */
export function assertLineLengths(text: string, fileName: string, max = MAX_LINE_CHARS): void {
  let start = 0;
  let line = 1;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    if (end - start > max && longestCrSegment(text, start, end) > max) {
      throw new IngestError({
        file: fileName,
        line,
        reason: `line of ${end - start} characters exceeds the limit of ${max} (MAX_LINE_CHARS): expected a line-oriented log`,
      });
    }
    start = end + 1;
    line++;
  }
}

function longestCrSegment(text: string, start: number, end: number): number {
  let longest = 0;
  let s = start;
  while (s < end) {
    let e = text.indexOf('\r', s);
    if (e < 0 || e > end) e = end;
    if (e - s > longest) longest = e - s;
    s = e + 1;
  }
  return longest;
}

function binaryError(fileName: string, what: string): IngestError {
  return new IngestError({ file: fileName, reason: `not a text log: binary data (${what})` });
}

function hasUtf8Bom(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

function detectUtf16(b: Uint8Array): { encoding: 'utf-16le' | 'utf-16be'; bomLength: number } | null {
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  // Without a BOM, ASCII text in UTF-16 has a NUL in every other byte, always on the same side.
  const n = Math.min(b.length & ~1, UTF16_SAMPLE_BYTES);
  if (n < 4) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) evenZero++;
    if (b[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero >= pairs * 0.9 && evenZero === 0) return { encoding: 'utf-16le', bomLength: 0 };
  if (evenZero >= pairs * 0.9 && oddZero === 0) return { encoding: 'utf-16be', bomLength: 0 };
  return null;
}

function countStrayControls(text: string): number {
  const n = Math.min(text.length, BINARY_SAMPLE_CHARS);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // Allowed: \b (8) \t (9) \n (10) \v (11) \f (12) \r (13) ESC (27, ANSI colours in console logs).
    if ((c < 32 && (c < 8 || c > 13) && c !== 27) || c === 127) count++;
  }
  return count;
}

/** Byte offset of the first byte that breaks UTF-8 (overlongs, surrogates and truncated sequences included). */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; cp = c & 0x07; }
    else return i;
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}

function lineOfByte(b: Uint8Array, offset: number): number {
  let line = 1;
  let i = b.indexOf(10);
  while (i >= 0 && i < offset) {
    line++;
    i = b.indexOf(10, i + 1);
  }
  return line;
}

/**
 * `assertLineLengths` on UTF-8 bytes (the limit counted in bytes), without decoding them. Jumps from a line break to
 * the last line break within `max` bytes, so a 100 MB file costs about a hundred native searches, not one per line.
 */
export function assertLineLengthsUtf8(bytes: Uint8Array, fileName: string, max = MAX_LINE_CHARS): void {
  const n = bytes.length;
  let p = -1; // the last line break known; every line before it is short enough
  while (n - (p + 1) > max) {
    const q = bytes.lastIndexOf(10, p + max + 1);
    if (q > p) {
      p = q;
      continue;
    }
    let end = bytes.indexOf(10, p + 1);
    if (end < 0) end = n;
    let longest = 0;
    for (let s = p + 1; s < end; ) {
      let e = bytes.indexOf(13, s);
      if (e < 0 || e > end) e = end;
      if (e - s > longest) longest = e - s;
      s = e + 1;
    }
    if (longest > max) {
      let line = 1;
      for (let i = bytes.indexOf(10); i >= 0 && i <= p; i = bytes.indexOf(10, i + 1)) line++;
      throw new IngestError({
        file: fileName,
        line,
        reason: `line of ${end - p - 1} bytes exceeds the limit of ${max} (MAX_LINE_CHARS): expected a line-oriented log`,
      });
    }
    p = end;
  }
}
