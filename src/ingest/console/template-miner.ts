/**
 * Line templates learned from the text itself, as log-template miners such as Drain do: mask the variable parts of a
 * line (numbers, timestamps, durations, versions, file:line locations) and group lines by what remains. A training
 * loop prints the same few templates thousands of times (`Epoch # | Batch #/# | Loss: #`), so the templates, not
 * the lines, are what get analysed: the words around each masked number are read once per template, and each line
 * only contributes its numbers. That keeps a million-line log to one regex pass per line.
 *
 * Numbers are the template's slots, numbered left to right. Timestamps, durations (`1:05:46`, `1s194ms`), versions
 * (`0.13.2`) and code locations (`solver.cpp:222`, code-locations.ts) are masked too but are not slots: nothing a run
 * is judged by is written that way.
 */

import { codeLocationSpans, maskCodeLocations, mayHoldCodeLocation } from './code-locations.ts';

/** One token of a line, for analysing a template (the per-line path never builds these). */
export interface Token {
  kind: 'num' | 'word' | 'punct' | 'space' | 'masked';
  text: string;
  /** Character offsets in the line. */
  start: number;
  end: number;
  /** For `num`: the slot index; its unit (`%`, `s`, `it/s`, `K`…), lower-cased, '' when none. */
  slot?: number;
  unit?: string;
}

/**
 * The variable parts of a line, in the order a regex alternation tries them at one position:
 * dates with an optional time; month/day with a time (`09/09 08:07:53`, two digits each: Rich's `0/8 0:00:01` is a
 * count and a duration); a locale's date alone (`12/07/26`, `%x`: two slashes, no counter has them); clock times and durations (`03:20`,
 * `1:05:46.12`); compound durations (`1s194ms`); versions and addresses (`0.13.2`); numbers with an optional unit
 * glued on (`418s`, `3.12it/s`, `97.3%`, `25K`, `1e-05`); the words nan and inf; a run of blanks.
 * Every alternative is a sequence of disjoint classes, so a match attempt is linear in its length.
 */
const SCAN = new RegExp(
  [
    String.raw`(?<![\w.])\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T_]\d{1,2}:\d{2}(?::\d{2})?(?:[.,:]\d+)?)?`,
    String.raw`(?<![\w.])\d{2}/\d{2}(?:/\d{2,4})? \d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?`,
    String.raw`(?<![\w./])\d{1,2}/\d{1,2}/\d{2,4}(?![\w/])`,
    String.raw`(?<![\w.])\d+:\d{2}(?::\d{2})?(?:[.,]\d+)?`,
    String.raw`(?<![\w.])\d+(?:\.\d+)?(?:ms|us|h|m|s)(?:\d+(?:\.\d+)?(?:ms|us|h|m|s))+\b`,
    String.raw`(?<![\w.])\d+\.\d+\.\d+(?:\.\d+)*`,
    String.raw`(?<![\w.])(?<!\w[-@])[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?:[A-Za-zµ%]+(?:/[A-Za-z]+)?(?![\w]))?`,
    String.raw`(?<![\w./])[-+]?(?:[Nn]a[Nn]|[Ii]nf(?:inity)?|INF|NAN)(?![\w])`,
    String.raw`[ \t]+`,
  ].join('|'),
  'g',
);
/**
 * Progress-bar glyphs: tqdm's `|████▌     |` and `|#####     |`, Rich's `━━━━╸───`, Keras' `[====>.....]`,
 * kuangliu's `[======= 391/391 ======>]`. Their length follows the progress, so left as text every state of a bar
 * would be a template of its own; they are masked to one mark.
 */
const BAR_GLYPHS = /\|[█▏▎▍▌▋▊▉▐░▒▓#]+ *\||\| +\|(?=\s*\d)|[━─╸╺╾╼]{2,}|\[[=>.]{2,}\]|={3,}>?|[█▏▎▍▌▋▊▉░▒▓]+/g;
const BAR_HINT = /[█▏▎▍▌▋▊▉░▒▓━─╸╺]|==|\|#|\[\.\./;

/** Masks progress-bar glyphs (see BAR_GLYPHS). */
export function maskBars(text: string): string {
  return BAR_HINT.test(text) ? text.replace(BAR_GLYPHS, '▮') : text;
}

/** SCAN anchored at one position: tried only where a match can start (see nextScan). */
const SCAN_AT = new RegExp(SCAN.source, 'y');
let scanAt = 0;

/**
 * The next SCAN match at or after `from` (its text; its offset in `scanAt`), or null. Equivalent to a global
 * SCAN.exec, but the regex is tried only at characters an alternative can start with (a digit, `.`, a sign, the
 * first letter of nan/inf), and runs of blanks are found by hand: a million-line log costs one pass per line.
 */
function nextScan(src: string, from: number): string | null {
  const n = src.length;
  for (let p = from; p < n; p++) {
    const c = src.charCodeAt(p);
    if (c === 32 || c === 9) {
      let q = p + 1;
      while (q < n && (src.charCodeAt(q) === 32 || src.charCodeAt(q) === 9)) q++;
      scanAt = p;
      return src.slice(p, q);
    }
    if ((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 78 || c === 110 || c === 73 || c === 105) {
      if (c >= 48 && c <= 57) {
        const end = plainNumberEnd(src, p);
        if (end > 0) {
          scanAt = p;
          return src.slice(p, end);
        }
        if (end === 0) continue;
      }
      SCAN_AT.lastIndex = p;
      const m = SCAN_AT.exec(src);
      if (m) {
        scanAt = p;
        return m[0];
      }
    }
  }
  return null;
}

function isWordCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * The fast path of nextScan for the commonest token, a plain number (`0.9950`, `1e-3`, `42`) followed by a blank or
 * punctuation: its end offset. 0 when no match can start at p (a digit inside a word or after a dot); −1 when the
 * regex must decide (a date, a time, a version, a unit).
 */
function plainNumberEnd(src: string, p: number): number {
  const prev = p > 0 ? src.charCodeAt(p - 1) : -1;
  if (isWordCode(prev) || prev === 46) return 0;
  // `Acc@1`, `R@10`, `mAP@0.5`: a number glued to a name by `@` is part of the name (its k or threshold), not a value.
  if (prev === 64 && p > 1 && isWordCode(src.charCodeAt(p - 2))) return 0;
  if (prev === 45 && p > 1 && isWordCode(src.charCodeAt(p - 2))) return -1;
  const n = src.length;
  let q = p;
  while (q < n && src.charCodeAt(q) >= 48 && src.charCodeAt(q) <= 57) q++;
  if (q < n && src.charCodeAt(q) === 46) {
    const r = q + 1;
    let d = r;
    while (d < n && src.charCodeAt(d) >= 48 && src.charCodeAt(d) <= 57) d++;
    if (d === r) return -1;
    q = d;
  }
  if (q < n && (src.charCodeAt(q) === 101 || src.charCodeAt(q) === 69)) {
    let r = q + 1;
    if (r < n && (src.charCodeAt(r) === 43 || src.charCodeAt(r) === 45)) r++;
    let d = r;
    while (d < n && src.charCodeAt(d) >= 48 && src.charCodeAt(d) <= 57) d++;
    if (d === r) return -1;
    q = d;
  }
  if (q >= n) return q;
  const next = src.charCodeAt(q);
  // Anything that could continue a date, time, version or unit goes to the regex.
  if (isWordCode(next) || next === 46 || next === 58 || next === 47 || next === 45 || next === 37 || next > 127) return -1;
  return q;
}

const TIME_UNITS = new Set(['s', 'ms', 'us', 'µs', 'ns', 'sec', 'secs', 'second', 'seconds', 'min', 'mins', 'minute', 'minutes', 'h', 'hr', 'hrs', 'hour', 'hours', 'm']);
/** `3.12it/s`, `2ms/step`, `37s/epoch`, `9.6s/it`: any `unit/unit` glued on a number is a rate or a time per thing. */
const RATE_UNITS = /^[a-zµ]+\/[a-z]+$/;
const MEMORY_UNITS = new Set(['b', 'kb', 'mb', 'gb', 'tb', 'kib', 'mib', 'gib', 'tib', 'g']);
/** Scale suffixes of counters (`25K` steps, `1M` samples): part of the number, not a unit. */
const SCALE: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, B: 1e9 };

/** How a glued-on unit classifies a number. */
export type UnitClass = '' | '%' | 'time' | 'rate' | 'memory' | 'scale' | 'other';

export function unitClass(unit: string): UnitClass {
  if (unit === '') return '';
  if (unit === '%') return '%';
  if (unit in SCALE) return 'scale';
  const u = unit.toLowerCase();
  if (TIME_UNITS.has(u)) return 'time';
  if (RATE_UNITS.test(u)) return 'rate';
  if (MEMORY_UNITS.has(u)) return 'memory';
  return 'other';
}

/** Splits a number token into its digits and glued-on unit. */
function splitUnit(tok: string): [string, string] {
  const m = /^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)(.*)$/.exec(tok);
  return m ? [m[1]!, m[2]!] : [tok, ''];
}

/** The value of a slot's raw text: units dropped, `25K` scaled, `97.3%` kept as 97.3 (the slot says it is a percent). */
export function slotValue(raw: string): number {
  const c = raw.charCodeAt(raw.length - 1);
  // Fast path: plain decimal.
  if (c >= 48 && c <= 57) return Number(raw);
  const lower = raw.toLowerCase();
  if (/^[-+]?nan$/.test(lower)) return NaN;
  if (/^\+?inf(inity)?$/.test(lower)) return Infinity;
  if (/^-inf(inity)?$/.test(lower)) return -Infinity;
  const [digits, unit] = splitUnit(raw);
  const n = Number(digits);
  const scale = SCALE[unit];
  return scale ? n * scale : n;
}

/** A line's template key and the raw text of its slots. */
export interface LineShape {
  key: string;
  slots: string[];
}

/** A key so far that holds nothing but blanks and an opening bracket; what marks a time found there; the time with its brackets. */
const LEADING = /^\s*[[(]?$/;
const LEADING_TIME = '\u0001';
const LEADING_STAMP = /^\s*[[(]?\u0001[\])]?/;

/**
 * The per-line path: one pass of SCAN builds the key (slots as `#`, with their unit class) and collects the slots.
 * A number with an unknown glued-on suffix (`42b9…`, `3x3`, `1st`) is a word, not a slot.
 */
export function lineShape(line: string): LineShape {
  const text = maskBars(line);
  const src = mayHoldCodeLocation(text) ? maskCodeLocations(text) : text;
  const slots: string[] = [];
  const n = src.length;
  let key = '';
  let last = 0;
  let p = 0;
  while (p < n) {
    const c = src.charCodeAt(p);
    if (c === 32 || c === 9) {
      let q = p + 1;
      while (q < n && (src.charCodeAt(q) === 32 || src.charCodeAt(q) === 9)) q++;
      if (p > last) key += src.slice(last, p);
      // Blanks padding a value (`loss: 9.42` beside `loss:39.71`, `( 12%)` beside `(100%)`) do not make a new template.
      const before = key.charCodeAt(key.length - 1);
      const after = src.charCodeAt(q);
      if (!(before === 58 || before === 61 || before === 40 || before === 91 || after === 41 || after === 93)) key += ' ';
      last = p = q;
      continue;
    }
    if ((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 78 || c === 110 || c === 73 || c === 105) {
      let end = c >= 48 && c <= 57 ? plainNumberEnd(src, p) : -1;
      if (end === 0) {
        p++;
        continue;
      }
      let kind: string | null = '#';
      if (end < 0) {
        SCAN_AT.lastIndex = p;
        const m = SCAN_AT.exec(src);
        if (!m) {
          p++;
          continue;
        }
        end = p + m[0].length;
        kind = classify(m[0]);
      }
      if (p > last) key += src.slice(last, p);
      // A time first on the line (`[12/07/26 19:29:14] INFO …`) is left out of the key: Rich's log handler prints it
      // only when it changes, blanks in its place otherwise, and both are one template.
      if (kind === null) key += LEADING.test(key) ? LEADING_TIME : 'T';
      else if (kind === 'word') key += src.slice(p, end);
      else {
        slots.push(src.slice(p, end));
        key += kind;
      }
      last = p = end;
      continue;
    }
    p++;
  }
  if (last < n) key += src.slice(last);
  if (key.includes(LEADING_TIME)) key = key.replace(LEADING_STAMP, '');
  return { key: key.trim(), slots };
}

/**
 * The analysing path: the same scan, keeping every token with its offsets (for naming slots from their neighbours and
 * aligning table columns).
 */
export function tokenize(line: string): Token[] {
  const text = maskBars(line);
  const locs: Array<[number, number]> = mayHoldCodeLocation(text) ? codeLocationSpans(text) : [];
  const tokens: Token[] = [];
  let slot = 0;
  let last = 0;
  const gap = (from: number, to: number) => {
    for (let i = from; i < to; ) {
      const ch = text[i]!;
      if (/[\p{L}_]/u.test(ch)) {
        let j = i + 1;
        // A word: letters, digits, `_`, and inner `.`/`-`/`/`/`@` followed by a word character (`s0.loss_cls`, `train-rmse`, `acc/top1`, `Acc@1`),
        // and a possessive `'s` (LightGBM's `training's binary_logloss`).
        while (j < to && (/[\p{L}\p{N}_]/u.test(text[j]!) || (/[.\-/@]/.test(text[j]!) && j + 1 < to && /[\p{L}\p{N}_]/u.test(text[j + 1]!)) || (text[j] === '@' && text[j + 1] === '.' && /\d/.test(text[j + 2] ?? '')) || (text[j] === "'" && text[j + 1] === 's' && !/[\p{L}\p{N}_]/u.test(text[j + 2] ?? ' ')))) j++;
        tokens.push({ kind: 'word', text: text.slice(i, j), start: i, end: j });
        i = j;
      } else if (/\p{N}/u.test(ch)) {
        let j = i + 1;
        while (j < to && /[\p{L}\p{N}_]/u.test(text[j]!)) j++;
        tokens.push({ kind: 'word', text: text.slice(i, j), start: i, end: j });
        i = j;
      } else {
        tokens.push({ kind: 'punct', text: ch, start: i, end: i + 1 });
        i++;
      }
    }
  };
  let li = 0;
  let resume = 0;
  for (let tok = nextScan(text, 0); tok !== null; tok = nextScan(text, resume)) {
    const at = scanAt;
    resume = at + tok.length;
    // A source location masks whatever SCAN found inside it.
    while (li < locs.length && locs[li]![1] <= at) li++;
    if (li < locs.length && locs[li]![0] <= at && at < locs[li]![1]) {
      const [ls, le] = locs[li]!;
      if (ls > last) gap(last, ls);
      if (last < le) {
        tokens.push({ kind: 'masked', text: text.slice(Math.max(ls, last), le), start: Math.max(ls, last), end: le });
        last = le;
      }
      resume = Math.max(resume, le);
      li++;
      continue;
    }
    if (at > last) gap(last, at);
    last = at + tok.length;
    const c0 = tok.charCodeAt(0);
    if (c0 === 32 || c0 === 9) {
      tokens.push({ kind: 'space', text: tok, start: at, end: last });
      continue;
    }
    const kind = classify(tok);
    if (kind === null) tokens.push({ kind: 'masked', text: tok, start: at, end: last });
    else if (kind === 'word') gap(at, last);
    else {
      const [, unit] = splitUnit(tok);
      const u = kind === '#s' && unitClass(unit) !== 'time' ? 's' : unit;
      tokens.push({ kind: 'num', text: tok, start: at, end: last, slot: slot++, unit: /^[-+]?(nan|inf)/i.test(tok) ? '' : u });
    }
  }
  while (li < locs.length && locs[li]![1] <= last) li++;
  if (li < locs.length) {
    const [ls, le] = locs[li]!;
    if (ls > last) gap(last, ls);
    tokens.push({ kind: 'masked', text: text.slice(Math.max(ls, last), le), start: Math.max(ls, last), end: le });
    last = le;
  }
  if (last < text.length) gap(last, text.length);
  return tokens;
}

/** null: masked (date, time, duration, version); 'word': a number with an unknown suffix; else the key text of a slot. */
function classify(tok: string): string | null {
  // Fast path: a plain decimal number (one dot at most: `0.13.2` is a version).
  let plain = true;
  let dots = 0;
  for (let i = 0; i < tok.length && plain; i++) {
    const c = tok.charCodeAt(i);
    if (c === 46) dots++;
    plain = ((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45) && dots <= 1;
  }
  if (plain && tok.charCodeAt(tok.length - 1) !== 101 && tok.charCodeAt(tok.length - 1) !== 69) return '#';
  const c0 = tok.charCodeAt(0);
  const signed = c0 === 43 || c0 === 45;
  const d0 = signed ? tok.charCodeAt(1) : c0;
  if (d0 !== 46 && (d0 < 48 || d0 > 57)) return '#'; // nan / inf
  // Dates, times, durations and versions contain a second separator or a colon.
  if (/^\d+(?:\.\d+)?(?:ms|us|h|m|s)\d/.test(tok)) return '#s';
  if (/^\d+(?:[-/.:]\d+){2,}|^\d+:\d\d|^\d{2}\/\d{2} \d/.test(tok)) return null;
  const [, unit] = splitUnit(tok);
  const cls = unitClass(unit);
  if (cls === 'other') return 'word';
  if (cls === '' || cls === 'scale') return '#';
  return cls === '%' ? '#%' : cls === 'time' ? '#s' : cls === 'rate' ? '#r' : '#b';
}

/** A template: lines that look the same once numbers are masked. */
export interface Template<A> {
  id: number;
  key: string;
  /** How many lines had this shape. */
  count: number;
  /** The first line of this shape, and where it was. */
  example: string;
  firstLine: number;
  /** What the analysis made of it (names and roles of the slots). */
  analysis: A;
}

/**
 * Groups lines by template. `analyse` runs once per new template, on its first line. The number of templates kept
 * is capped: past `maxTemplates`, new shapes are counted as noise but not remembered (a log of unique lines, a
 * dump of a dataset, must not grow memory without bound).
 */
export class TemplateMiner<A> {
  private readonly byKey = new Map<string, Template<A>>();
  private readonly list: Template<A>[] = [];
  private overflowLines = 0;

  constructor(
    private readonly analyse: (example: string, key: string) => A,
    private readonly maxTemplates = 20_000,
  ) {}

  /** The template of a line (created and analysed on first sight), or null past the cap. `key` may be pre-computed. */
  add(key: string, text: string, line: number): Template<A> | null {
    let t = this.byKey.get(key);
    if (!t) {
      if (this.list.length >= this.maxTemplates) {
        this.overflowLines++;
        return null;
      }
      t = { id: this.list.length, key, count: 0, example: text, firstLine: line, analysis: this.analyse(text, key) };
      this.byKey.set(key, t);
      this.list.push(t);
    }
    t.count++;
    return t;
  }

  get templates(): readonly Template<A>[] {
    return this.list;
  }

  /** The template of a key already seen, without counting a line. */
  get(key: string): Template<A> | undefined {
    return this.byKey.get(key);
  }

  /** Lines whose template was not remembered because of the cap. */
  get uncounted(): number {
    return this.overflowLines;
  }
}
