import { IngestError } from './ingest-error.ts';

/** Separators a log CSV may use, in the order they win a tie. */
export const CSV_SEPARATORS = [',', ';', '\t', '|'] as const;
export type CsvSeparator = (typeof CSV_SEPARATORS)[number];
/** How many lines before the header may be a title or preamble (Keras CSVLogger files sometimes start with one). */
export const MAX_PREAMBLE_LINES = 20;
/** How much of the start of the text the sniffers look at. */
export const SNIFF_CHARS = 16 * 1024;

/** Most columns a log table may have. */
export const MAX_CSV_COLUMNS = 10_000;
/** Most cells (columns × lines) a table may occupy: 9 bytes each, so about 900 MB. */
export const MAX_CSV_CELLS = 100_000_000;

/** Cell kinds, one byte per cell. */
export const CELL_MISSING = 0;
export const CELL_NUMBER = 1;
export const CELL_TEXT = 2;

export interface CsvColumn {
  name: string;
  /** One value per row; NaN where the cell is missing or text (look at `kinds` to tell them from a real NaN). */
  values: Float64Array;
  /** CELL_MISSING (empty, NA, null), CELL_NUMBER (including NaN and ±Infinity), CELL_TEXT. */
  kinds: Uint8Array;
  missing: number;
  texts: number;
  /** Cells written with a percent sign (`87.50%`), read as fractions (0.875). */
  percents: number;
  /** The text of CELL_TEXT cells by row. */
  text: Map<number, string>;
}

export interface CsvTable {
  separator: CsvSeparator;
  header: string[];
  /** 1-based line of the header. */
  headerLine: number;
  /** Non-empty lines before the header (a title such as `model_history_log`). */
  preamble: string[];
  rows: number;
  /** 1-based source line of each row. */
  lines: Int32Array;
  /** Row indices at which the header was repeated (files concatenated with their headers); the repeat is not a row. */
  headerRepeats: number[];
  columns: CsvColumn[];
}

export interface CsvHead {
  separator: CsvSeparator;
  header: string[];
  headerLine: number;
  /** Character offset where the line after the header starts. */
  dataStart: number;
  preamble: string[];
}

const LF = 10;
const CR = 13;
const QUOTE = 34;
const SPACE = 32;
const TAB = 9;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const TWO_53 = 2 ** 53;

/**
 * Finds the header of a delimited table in the first lines of `text`: the first line (after at most
 * MAX_PREAMBLE_LINES of title lines) that splits into ≥ 2 names, not all numbers, under some separator, with the next
 * line splitting into as many fields. Returns null when the text does not look like a table.
 */
export function findCsvHead(text: string): CsvHead | null {
  const lines: Array<{ text: string; line: number; end: number }> = [];
  let pos = 0;
  let line = 1;
  const limit = Math.min(text.length, SNIFF_CHARS * 4);
  while (pos < text.length && lines.length < MAX_PREAMBLE_LINES + 2 && pos < limit) {
    let end = pos;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    const raw = text.slice(pos, end);
    const next = text[end] === '\r' && text[end + 1] === '\n' ? end + 2 : end + 1;
    if (raw.trim() !== '') lines.push({ text: raw, line, end: next });
    pos = next;
    line++;
  }
  for (let i = 0; i + 1 < lines.length || (i === 0 && lines.length === 1); i++) {
    const head = lines[i]!;
    const next = lines[i + 1];
    // A terminal's colour escapes (`\x1b[1m0.9123\x1b[0m`) are console output the general reader strips; no table
    // writer puts them in a header.
    if (head.text.includes('\x1b')) continue;
    let best: { sep: CsvSeparator; fields: string[] } | null = null;
    for (const sep of CSV_SEPARATORS) {
      if (!head.text.includes(sep)) continue;
      const fields = splitLine(head.text, sep);
      if (fields.length < 2) continue;
      if (fields.every((f) => f.trim() === '' || isNumberLike(f))) continue;
      // Console lines are not headers: `Train Epoch: 1 [0/60000 (0%)]\tLoss: 2.300000` splits on its tab into two
      // "columns", but a column name never holds a `name: value` pair or a `3/20` counter.
      if (fields.some(looksLikeLogField)) continue;
      // A markdown table (`| epoch | loss |` over `|---:|---:|`) is console text the general reader reads.
      if (next && /^\s*\|?\s*:?-{3,}:?\s*\|/.test(next.text)) continue;
      if (next && splitLine(next.text, sep).length !== fields.length) continue;
      if (!next) continue;
      // `[rank0]: Epoch 0: train loss 2.40, val loss 2.50`: a printed line whose comma-separated "cells" come back on
      // the next line with other numbers is a log record, not a header over data.
      if (repeatsWithOtherNumbers(fields, splitLine(next.text, sep))) continue;
      if (!best || fields.length > best.fields.length) best = { sep, fields };
    }
    if (best) {
      return {
        separator: best.sep,
        header: best.fields.map((f) => f.trim()),
        headerLine: head.line,
        dataStart: head.end,
        preamble: lines.slice(0, i).map((l) => l.text),
      };
    }
  }
  return null;
}

/** Splits one line on `sep`, honouring double quotes. For headers and sniffing only: the data path is `parseCsv`. */
export function splitLine(line: string, sep: string): string[] {
  if (!line.includes('"')) return line.split(sep);
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (line[i + 1] === '"') { cur += '"'; i++; } else inQuotes = false;
      } else cur += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === sep) { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/** `Loss: 2.3`, `epoch=3`, `[0/60000 (0%)]`: a printed value, not a column name. */
function looksLikeLogField(field: string): boolean {
  // A column name is short: looking at its start keeps the scan linear on a hostile megabyte-long "header".
  const f = field.slice(0, 256);
  return (
    /[A-Za-z][\w\s.)\]]*[:=]\s*[-+]?(\d|\.\d|nan\b|inf\b)/i.test(f) ||
    /\d\s*\/\s*\d/.test(f) ||
    // `loss 0.6974` in `epoch 1 step 5 | loss 0.6974 | lr 1.4e-03`: a name and a decimal value, not a column name
    /^\s*[A-Za-z][\w.-]*\s+[-+]?(\d*\.\d+|\d+(\.\d*)?[eE][-+]?\d+|nan|inf)\s*$/i.test(f) ||
    // a logging prefix's date and time (`2026-12-07 10:22:32,185 - train - INFO - …`)
    /\d{4}-\d\d-\d\d[ T]\d\d:\d\d/.test(f)
  );
}

/** Some cell holding words and a number reads the same on the next line once numbers are masked (a repeated print). */
function repeatsWithOtherNumbers(head: string[], next: string[]): boolean {
  const mask = (f: string) => f.slice(0, 256).trim().replace(/[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g, '#');
  return head.some((f, k) => /\d/.test(f) && /[A-Za-z]{2}/.test(f) && f !== next[k] && mask(f) === mask(next[k] ?? ''));
}

function isNumberLike(s: string): boolean {
  const t = s.trim();
  return t !== '' && classifyToken(t, ',').kind === CELL_NUMBER;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/** `parseCsvBytes` for text that is already decoded (tests, UTF-16 files). */
export function parseCsv(text: string, fileName: string, head: CsvHead | null = findCsvHead(text)): CsvTable {
  if (!head) throw noHeader(fileName);
  const bytes = utf8Encoder.encode(text);
  return parseCsvBytes(bytes, fileName, { ...head, dataStart: utf8Encoder.encode(text.slice(0, head.dataStart)).length });
}

function noHeader(fileName: string): IngestError {
  return new IngestError({ file: fileName, line: 1, reason: 'expected a header line of column names separated by , ; tab or |' });
}

/**
 * Tokenises a whole delimited table from UTF-8 bytes (BOM already stripped): the header found by `findCsvHead` on a
 * decoded prefix (its `dataStart` must then be a byte offset), then every row into columnar Float64Arrays.
 * One pass over the bytes with an inline number parser (exact: Clinger's fast path for ≤ 15 significant digits and
 * |exponent| ≤ 22, the JS number parser otherwise); no string and no object per row. Working on bytes rather than a
 * decoded string saves building a string as large as the file.
 */
export function parseCsvBytes(input: Uint8Array, fileName: string, head: CsvHead | null): CsvTable {
  if (!head) throw noHeader(fileName);
  // A final line break is a sentinel: every scan below stops at it, so the inner loops need no bounds checks.
  let bytes = input;
  if (bytes.length === 0 || bytes[bytes.length - 1] !== LF) {
    bytes = new Uint8Array(input.length + 1);
    bytes.set(input);
    bytes[input.length] = LF;
  }
  const { separator, header, headerLine, dataStart } = head;
  const sep = separator.charCodeAt(0);
  const ncols = header.length;
  const n = bytes.length;

  if (ncols > MAX_CSV_COLUMNS) {
    throw new IngestError({ file: fileName, line: headerLine, reason: `${ncols} columns exceed the limit of ${MAX_CSV_COLUMNS} (MAX_CSV_COLUMNS)` });
  }
  let capacity = 1;
  for (let i = bytes.indexOf(LF, dataStart); i >= 0; i = bytes.indexOf(LF, i + 1)) capacity++;
  if (ncols * capacity > MAX_CSV_CELLS) {
    throw new IngestError({
      file: fileName,
      line: headerLine,
      reason: `${ncols} columns × ${capacity} lines exceed the limit of ${MAX_CSV_CELLS} cells (MAX_CSV_CELLS)`,
    });
  }
  const values: Float64Array[] = [];
  const kinds: Uint8Array[] = [];
  for (let k = 0; k < ncols; k++) {
    values.push(new Float64Array(capacity));
    kinds.push(new Uint8Array(capacity));
  }
  const missing = new Array<number>(ncols).fill(0);
  const texts = new Array<number>(ncols).fill(0);
  const percents = new Array<number>(ncols).fill(0);
  const textCells = header.map(() => new Map<number, string>());
  let lines = new Int32Array(capacity);
  const headerRepeats: number[] = [];
  // Line breaks were counted as LFs; a file with bare CR line ends has more rows than that.
  const grow = () => {
    const next = capacity * 2;
    if (ncols * next > MAX_CSV_CELLS) {
      throw new IngestError({ file: fileName, line: headerLine, reason: `${ncols} columns × ${next} lines exceed the limit of ${MAX_CSV_CELLS} cells (MAX_CSV_CELLS)` });
    }
    for (let k = 0; k < ncols; k++) {
      const v = new Float64Array(next);
      v.set(values[k]!);
      values[k] = v;
      const kk = new Uint8Array(next);
      kk.set(kinds[k]!);
      kinds[k] = kk;
    }
    const l = new Int32Array(next);
    l.set(lines);
    lines = l;
    capacity = next;
  };

  let pos = dataStart;
  let line = headerLine + 1;
  let row = 0;
  while (pos < n) {
    let c = bytes[pos]!;
    if (c === LF) { pos++; line++; continue; }
    if (c === CR) {
      pos += pos + 1 < n && bytes[pos + 1] === LF ? 2 : 1;
      line++;
      continue;
    }
    if (row === capacity) grow();
    const rowLine = line;
    let col = 0;
    let extra = false;
    for (;;) {
      // One field starting at pos; c is bytes[pos].
      while ((c === SPACE || c === TAB) && c !== sep) c = bytes[++pos]!;
      let value = NaN;
      let kind = CELL_NUMBER;
      let cellText: string | null = null;
      if (c === QUOTE) {
        const q = readQuoted(bytes, pos, fileName, rowLine);
        pos = q.end;
        line += q.newlines;
        const t = classifyToken(q.text.trim(), separator);
        kind = t.kind;
        value = t.value;
        if (kind === CELL_TEXT) cellText = q.text;
        else if (kind === CELL_NUMBER && col < ncols && q.text.trim().endsWith('%')) percents[col]!++;
        c = bytes[pos]!;
        while (c !== sep && c !== LF && c !== CR) c = bytes[++pos]!;
      } else {
        const start = pos;
        let neg = false;
        if (c === MINUS || c === PLUS) {
          neg = c === MINUS;
          c = bytes[++pos]!;
        }
        // Digits accumulate into `mant`, exact while it stays below 2^53; longer mantissas are re-read below.
        let mant = 0;
        let digits = 0;
        let exp10 = 0;
        while (c >= ZERO && c <= NINE) {
          mant = mant * 10 + (c - ZERO);
          digits++;
          c = bytes[++pos]!;
        }
        if (c === DOT) {
          c = bytes[++pos]!;
          const fracStart = pos;
          while (c >= ZERO && c <= NINE) {
            mant = mant * 10 + (c - ZERO);
            c = bytes[++pos]!;
          }
          digits += pos - fracStart;
          exp10 = fracStart - pos;
        }
        let ok = digits > 0;
        if (ok && (c === LOWER_E || c === UPPER_E)) {
          c = bytes[++pos]!;
          let eneg = false;
          if (c === MINUS || c === PLUS) {
            eneg = c === MINUS;
            c = bytes[++pos]!;
          }
          let e = 0;
          let edigits = 0;
          while (c >= ZERO && c <= NINE) {
            if (e < 100000) e = e * 10 + (c - ZERO);
            edigits++;
            c = bytes[++pos]!;
          }
          if (edigits === 0) ok = false;
          exp10 += eneg ? -e : e;
        }
        const numEnd = pos;
        while ((c === SPACE || c === TAB) && c !== sep) c = bytes[++pos]!;
        if (ok && (c === sep || c === LF || c === CR)) {
          if (mant < TWO_53 && exp10 >= -22 && exp10 <= 22) {
            // Clinger's fast path: mantissa and power of ten are exact doubles, so one IEEE operation rounds correctly.
            value = exp10 < 0 ? mant / POW10[-exp10]! : mant * POW10[exp10]!;
          } else if (exp10 < 0 && exp10 >= -22) {
            // 16–19 significant digits (float32 values printed by Python): still exact, without building a string.
            value = longMantissa(bytes, neg || bytes[start] === PLUS ? start + 1 : start, numEnd, -exp10);
          }
          if (Number.isNaN(value)) value = Number(asciiSlice(bytes, neg || bytes[start] === PLUS ? start + 1 : start, numEnd));
          if (neg) value = -value;
        } else {
          while (c !== sep && c !== LF && c !== CR) c = bytes[++pos]!;
          const token = utf8Decoder.decode(bytes.subarray(start, pos)).trim();
          if (token === '') kind = CELL_MISSING;
          else {
            const t = classifyToken(token, separator);
            kind = t.kind;
            value = t.value;
            if (kind === CELL_TEXT) cellText = token;
            else if (kind === CELL_NUMBER && col < ncols && token.endsWith('%')) percents[col]!++;
          }
        }
      }
      if (col < ncols) {
        values[col]![row] = value;
        kinds[col]![row] = kind;
        if (kind === CELL_MISSING) missing[col]!++;
        else if (kind === CELL_TEXT) {
          texts[col]!++;
          textCells[col]!.set(row, cellText ?? '');
        }
      } else if (kind !== CELL_MISSING) extra = true;
      col++;
      if (c === sep) {
        c = bytes[++pos]!;
        continue;
      }
      break;
    }
    // End of row: pos is at CR, LF or the end.
    if (extra) {
      throw new IngestError({
        file: fileName,
        line: rowLine,
        reason: `expected ${ncols} fields as in the header (line ${headerLine}), found ${col}`,
      });
    }
    for (let k = col; k < ncols; k++) {
      values[k]![row] = NaN;
      kinds[k]![row] = CELL_MISSING;
      missing[k]!++;
    }
    if (isHeaderRepeat(kinds, textCells, header, row)) {
      headerRepeats.push(row);
      for (let k = 0; k < ncols; k++) {
        if (kinds[k]![row] === CELL_MISSING) missing[k]!--;
        else if (kinds[k]![row] === CELL_TEXT) {
          texts[k]!--;
          textCells[k]!.delete(row);
        }
      }
    } else {
      lines[row] = rowLine;
      row++;
    }
    if (pos < n) {
      pos += bytes[pos] === CR && pos + 1 < n && bytes[pos + 1] === LF ? 2 : 1;
      line++;
    }
  }
  return {
    separator,
    header,
    headerLine,
    preamble: head.preamble,
    rows: row,
    lines: lines.subarray(0, row),
    headerRepeats,
    columns: header.map((name, k) => ({
      name,
      values: values[k]!.subarray(0, row),
      kinds: kinds[k]!.subarray(0, row),
      missing: missing[k]!,
      texts: texts[k]!,
      percents: percents[k]!,
      text: textCells[k]!,
    })),
  };
}

/**
 * A decimal with more than 2^53 in its digits, `digits[.digits]` in bytes[start, end) with k fraction digits:
 * the first 15 significant digits and the (at most 4) others are combined exactly by `exactQuotient`.
 * NaN when the number is longer or too close to a rounding boundary (the caller then uses the JS parser).
 */
function longMantissa(bytes: Uint8Array, start: number, end: number, k: number): number {
  let hi = 0;
  let tail = 0;
  let d = 0;
  let sig = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === LOWER_E || c === UPPER_E) break;
    if (c === DOT) continue;
    if (sig === 0 && c === ZERO) continue;
    sig++;
    if (sig <= 15) hi = hi * 10 + (c - ZERO);
    else {
      tail = tail * 10 + (c - ZERO);
      d++;
    }
  }
  return d >= 1 && d <= 4 ? exactQuotient(hi, d, tail, k) : NaN;
}

/** The ASCII characters of bytes[start, end) as a string (only called on runs of digits, signs, dots and exponents). */
function asciiSlice(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

function isHeaderRepeat(kinds: Uint8Array[], textCells: Array<Map<number, string>>, header: string[], row: number): boolean {
  let named = 0;
  for (let k = 0; k < header.length; k++) {
    if (header[k] === '') continue;
    if (kinds[k]![row] !== CELL_TEXT || textCells[k]!.get(row)?.trim() !== header[k]) return false;
    named++;
  }
  return named > 0;
}

function readQuoted(bytes: Uint8Array, pos: number, fileName: string, line: number): { text: string; end: number; newlines: number } {
  let out = '';
  let i = pos + 1;
  let newlines = 0;
  for (;;) {
    const j = bytes.indexOf(QUOTE, i);
    if (j < 0) throw new IngestError({ file: fileName, line, reason: 'unterminated quoted field: expected a closing "' });
    for (let k = bytes.indexOf(LF, i); k >= 0 && k < j; k = bytes.indexOf(LF, k + 1)) newlines++;
    out += utf8Decoder.decode(bytes.subarray(i, j));
    if (bytes[j + 1] === QUOTE) {
      out += '"';
      i = j + 2;
      continue;
    }
    return { text: out, end: j + 1, newlines };
  }
}

const MISSING_TOKENS = new Set(['na', 'n/a', 'null', 'none', '-', '--']);
const DECIMAL_COMMA = /^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$/;
// No two quantifiers may compete for the same digits: `\d+\.?\d*` backtracks quadratically on a long digit run.
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TENSOR = /^tensor\(\s*([^,)]+)/;

/**
 * The slow path for one cell: NaN/nan/NAN are values, inf/Infinity (signed) are values, NA/N/A/null/None are missing,
 * a decimal comma is read when the separator is not a comma, `tensor(0.5)` is unwrapped, a number written with a
 * percent sign (`87.50%`) is the fraction it says (0.875); anything else is text.
 */
export function classifyToken(token: string, separator: string): { kind: number; value: number } {
  if (token === '') return { kind: CELL_MISSING, value: NaN };
  if (PLAIN_NUMBER.test(token)) return { kind: CELL_NUMBER, value: Number(token) };
  const lower = token.toLowerCase();
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return { kind: CELL_NUMBER, value: NaN };
  if (/^\+?(inf|infinity)$/.test(lower)) return { kind: CELL_NUMBER, value: Infinity };
  if (/^-(inf|infinity)$/.test(lower)) return { kind: CELL_NUMBER, value: -Infinity };
  if (MISSING_TOKENS.has(lower)) return { kind: CELL_MISSING, value: NaN };
  if (separator !== ',' && DECIMAL_COMMA.test(token)) return { kind: CELL_NUMBER, value: Number(token.replace(',', '.')) };
  if (token.endsWith('%') && token.length > 1) {
    const inner = classifyToken(token.slice(0, -1).trimEnd(), separator);
    if (inner.kind === CELL_NUMBER && !token.slice(0, -1).trimEnd().endsWith('%')) return { kind: CELL_NUMBER, value: inner.value / 100 };
  }
  const tensor = TENSOR.exec(token);
  if (tensor) {
    const inner = classifyToken(tensor[1]!.trim(), separator);
    if (inner.kind === CELL_NUMBER) return inner;
  }
  return { kind: CELL_TEXT, value: NaN };
}

const SPLITTER = 134217729; // 2^27 + 1, Dekker's split
const POW10_HI = POW10.map((p) => { const c = SPLITTER * p; return c - (c - p); });
const POW10_LO = POW10.map((p, i) => p - POW10_HI[i]!);
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const TWO_20 = 2 ** 20;

/** Next double away from zero (positive finite input). */
function nextUp(x: number): number {
  f64[0] = x;
  if (u32[0] === 0xffffffff) { u32[0] = 0; u32[1]!++; } else u32[0]!++;
  return f64[0]!;
}
function nextDown(x: number): number {
  f64[0] = x;
  if (u32[0] === 0) { u32[0] = 0xffffffff; u32[1]!--; } else u32[0]!--;
  return f64[0]!;
}

/**
 * (hi·10^d + lo) / 10^k correctly rounded, for hi < 10^15, d ≤ 4, lo < 10^d, 1 ≤ k ≤ 22; NaN when too close to a
 * rounding boundary to decide cheaply (the caller then uses the JS parser).
 */
function exactQuotient(hi: number, d: number, lo: number, k: number): number {
  const P = POW10[d]!;
  const hiL = hi % TWO_20;
  const hiH = hi - hiL;
  const p1 = hiH * P; // exact: (hiH / 2^20) · P < 2^44
  const p2 = hiL * P + lo; // exact: < 2^35
  // TwoSum: M = mh + ml exactly
  const mh = p1 + p2;
  const bb = mh - p1;
  const ml = (p1 - (mh - bb)) + (p2 - bb);
  const D = POW10[k]!;
  const q = mh / D;
  if (q === 0 || !Number.isFinite(q) || q < 2.2250738585072014e-308) return NaN;
  // TwoProduct q·D = ph + pl exactly
  const ph = q * D;
  const c = SPLITTER * q;
  const qh = c - (c - q);
  const ql = q - qh;
  const dh = POW10_HI[k]!;
  const dl = POW10_LO[k]!;
  const pl = ((qh * dh - ph) + qh * dl + ql * dh) + ql * dl;
  // remainder r = M - q·D = (mh - ph) + (ml - pl); mh - ph is exact (Sterbenz)
  const r = (mh - ph) + (ml - pl);
  const up = nextUp(q);
  const down = nextDown(q);
  // The remainder, compared with half the gap to each neighbour (in units of D); the computed r is off by
  // ~2^-100·M, far below `slack`, so a value inside the slack is the only undecided case.
  const halfUp = ((up - q) * D) / 2;
  const halfDown = ((q - down) * D) / 2;
  if (r >= 0) {
    const slack = halfUp * 1e-6;
    if (r < halfUp - slack) return q;
    if (r > halfUp + slack && r < 3 * halfUp - slack) return up;
    return NaN;
  }
  const slack = halfDown * 1e-6;
  if (-r < halfDown - slack) return q;
  if (-r > halfDown + slack && -r < 3 * halfDown - slack) return down;
  return NaN;
}
