/**
 * Python literals as `print()` and `pprint` write them: what people paste after `print(history.history)`,
 * `print(trainer.state.log_history)`, `print(evals_result)` or `print(trainer.callback_metrics)`. A superset of JSON:
 *
 * - strings in single or double quotes (with Python's escapes and an optional `b`/`r`/`u` prefix), `True`, `False`,
 *   `None`, `nan`, `inf`, `-inf` (and JSON's `true`, `false`, `null`, `NaN`, `Infinity`);
 * - tuples `(a, b)` and sets `{a, b}` (read as lists), trailing commas, any literal as a dict key (written as text);
 * - reprs of calls, unwrapped to the value they hold: `np.float32(0.5)` (NumPy 2), `tensor(0.5123, grad_fn=<…>)`,
 *   `array([…], dtype=float32)`, `Decimal('0.5')`, `float('nan')`, `OrderedDict([('loss', […]), …])`,
 *   `defaultdict(<class 'list'>, {…})`, `dict(loss=[…])`;
 * - `<…>` reprs (`<class 'list'>`, `<NllLossBackward0>`) as opaque text, except TensorFlow's
 *   `<tf.Tensor: shape=(), dtype=float32, numpy=0.53>`, whose `numpy=` value is read.
 *
 * Newlines are blanks, as in Python; a line break inside a token (a chat client or a terminal cut `0.4807543924`
 * after `0.48075`) is taken out, since a literal never has two numbers or two words side by side. An elided list
 * (`[0.1, 0.2, ..., 0.9]`, NumPy's print threshold) is refused: the values between were never printed.
 *
 * Throws only IngestError, with the line and column and what was expected there.
 */
import { IngestError } from './ingest-error.ts';
import { MAX_JSON_DEPTH } from './json-lenient.ts';
import { errorAt, skipWhitespace } from './parser-text.ts';

export interface PythonLiteralOptions {
  /** Line number of the text's first line in its file (a literal found inside console output). */
  firstLine?: number;
  maxDepth?: number;
}

/** Parses one whole literal (blanks around it allowed). */
export function parsePythonLiteral(text: string, fileName: string, options: PythonLiteralOptions = {}): unknown {
  const p = new PyParser(text, fileName, options.firstLine ?? 1, options.maxDepth ?? MAX_JSON_DEPTH);
  return p.parseDocument();
}

/**
 * Parses the literal that starts at `start` and returns it with the offset just after it; what follows is not looked
 * at. Throws IngestError when no literal starts there or it is malformed (an unterminated one: at its end).
 */
export function parsePythonLiteralAt(text: string, start: number, fileName: string, options: PythonLiteralOptions = {}): { value: unknown; end: number } {
  const p = new PyParser(text, fileName, options.firstLine ?? 1, options.maxDepth ?? MAX_JSON_DEPTH, start);
  const value = p.parseOne();
  return { value, end: p.offset };
}

/**
 * Joins the lines of a literal printed over several lines: a line break is a blank, except inside a token (the
 * previous line ends and the next starts with a character of a number, a name or a quoted string), where it goes.
 */
export function joinLiteralLines(lines: readonly string[]): string {
  let out = '';
  let quote = '';
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (out === '') {
      out = line;
    } else {
      const a = out.charCodeAt(out.length - 1);
      const b = line.charCodeAt(0);
      out += quote || (isTokenChar(a) && isTokenChar(b)) ? line : `\n${line}`;
    }
    quote = openQuote(line, quote);
  }
  return out;
}

/** The quote still open at the end of `line` ('' when none), given the one open at its start. */
function openQuote(line: string, open: string): string {
  let q = open;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '\\') i++;
      else if (c === q) q = '';
    } else if (c === "'" || c === '"') q = c;
  }
  return q;
}

function isTokenChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

/** Bare names that are values. */
const NAMES: Record<string, unknown> = {
  True: true, False: false, None: null, true: true, false: false, null: null,
  nan: NaN, NaN: NaN, inf: Infinity, Infinity: Infinity,
};

/** Calls whose value is the mapping they wrap (their last positional container, or their keyword arguments). */
const MAPPING_CALLS = /^(?:collections\.)?(?:OrderedDict|defaultdict|Counter|dict|ChainMap|frozendict|mappingproxy|AttrDict|EasyDict|Munch|DictConfig|edict)$/;
/** Calls whose value is a number given as text: `Decimal('0.5')`, `float('nan')`. */
const NUMBER_FROM_TEXT = /^(?:decimal\.)?(?:Decimal|float|np\.float\d*|numpy\.float\d*)$/;

class PyParser {
  private pos: number;
  private depth = 0;
  /** Calls being read: inside their arguments, bare names (`dtype=float32`) are opaque values. */
  private calls = 0;

  constructor(
    private readonly text: string,
    private readonly fileName: string,
    private readonly firstLine: number,
    private readonly maxDepth: number,
    start = 0,
  ) {
    this.pos = start === 0 && text.charCodeAt(0) === 0xfeff ? 1 : start;
  }

  get offset(): number {
    return this.pos;
  }

  parseDocument(): unknown {
    this.skip();
    if (this.pos >= this.text.length) throw this.fail('expected a Python literal, found the end of the input (empty document)');
    const v = this.parseValue();
    this.skip();
    if (this.pos < this.text.length) throw this.fail(`expected the end of the input after the literal, found ${this.here()}`);
    return v;
  }

  parseOne(): unknown {
    this.skip();
    return this.parseValue();
  }

  private fail(reason: string, at = this.pos): IngestError {
    return errorAt(this.text, at, this.fileName, this.firstLine, reason);
  }

  private here(at = this.pos): string {
    if (at >= this.text.length) return 'the end of the input';
    const cp = this.text.codePointAt(at)!;
    if (cp < 0x20 || cp === 0x7f) return `control character U+${cp.toString(16).padStart(4, '0').toUpperCase()}`;
    if (cp === 39 || cp === 34) {
      const str = new RegExp(`^${cp === 39 ? "'[^'\\n]{0,40}'" : '"[^"\\n]{0,40}"'}`).exec(this.text.slice(at, at + 42))?.[0];
      if (str) return `the string ${str}`;
    }
    const word = /^[\w.+-]{2,24}/.exec(this.text.slice(at, at + 24))?.[0];
    return `'${word ?? String.fromCodePoint(cp)}'`;
  }

  private skip(): void {
    this.pos = skipWhitespace(this.text, this.pos);
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) throw this.fail(`literal nested deeper than ${this.maxDepth} levels`);
  }

  private parseValue(): unknown {
    const t = this.text;
    const c = t.charCodeAt(this.pos);
    switch (c) {
      case 123 /* { */:
        return this.parseBraces();
      case 91 /* [ */:
        return this.parseSequence(93, ']');
      case 40 /* ( */:
        return this.parseSequence(41, ')');
      case 34 /* " */:
      case 39 /* ' */:
        return this.parseString();
      case 60 /* < */:
        return this.parseAngle();
      case 45 /* - */:
      case 43 /* + */: {
        const sign = c === 45 ? -1 : 1;
        const next = t.charCodeAt(this.pos + 1);
        if (isIdentStart(next)) {
          this.pos++;
          const v = this.parseValue();
          if (typeof v !== 'number') throw this.fail(`expected a number after '${c === 45 ? '-' : '+'}'`, this.pos - 1);
          return sign * v;
        }
        return this.parseNumber();
      }
      case 46 /* . */:
        if (t.startsWith('...', this.pos)) {
          throw this.fail("an elided list ('...'): the values between were not printed (NumPy's print threshold or pandas' display limits); print the whole list, e.g. with .tolist() or json.dumps");
        }
        return this.parseNumber();
      default:
        if (isDigit(c)) return this.parseNumber();
        if (isIdentStart(c)) return this.parseName();
        throw this.fail(`expected a value (a dict, list, tuple, string, number, True, False, None, nan or inf), found ${this.here()}`);
    }
  }

  private parseNumber(): number {
    const t = this.text;
    const begin = this.pos;
    let i = begin;
    if (t.charCodeAt(i) === 45 || t.charCodeAt(i) === 43) i++;
    const digits = i;
    while (isDigit(t.charCodeAt(i)) || (t.charCodeAt(i) === 95 && isDigit(t.charCodeAt(i + 1)))) i++;
    if (t.charCodeAt(i) === 46) {
      i++;
      while (isDigit(t.charCodeAt(i))) i++;
    }
    if (i === digits || (i === digits + 1 && t.charCodeAt(digits) === 46)) throw this.fail(`expected a number, found ${this.here(begin)}`, begin);
    const e = t.charCodeAt(i);
    if (e === 101 || e === 69) {
      let j = i + 1;
      if (t.charCodeAt(j) === 43 || t.charCodeAt(j) === 45) j++;
      const exp = j;
      while (isDigit(t.charCodeAt(j))) j++;
      if (j === exp) throw this.fail(`malformed number '${t.slice(begin, j + 1)}': expected digits in the exponent`, begin);
      i = j;
    }
    // `1.5j` (complex) and `12abc` are not numbers a log holds.
    if (isIdentChar(t.charCodeAt(i))) throw this.fail(`malformed number '${t.slice(begin, i + 1)}'`, begin);
    this.pos = i;
    return Number(t.slice(begin, i).replace(/_/g, ''));
  }

  private parseString(): string {
    const t = this.text;
    const q = t.charCodeAt(this.pos);
    const open = this.pos;
    let i = open + 1;
    let out = '';
    let from = i;
    for (;;) {
      if (i >= t.length) throw this.fail(`unterminated string: expected a closing ${q === 39 ? '"\'"' : "'\"'"}`, open);
      const c = t.charCodeAt(i);
      if (c === q) {
        out += t.slice(from, i);
        this.pos = i + 1;
        return out;
      }
      if (c === 10) throw this.fail('a line break inside a quoted string: expected the closing quote on the same line', i);
      if (c === 92) {
        out += t.slice(from, i);
        const e = t[i + 1] ?? '';
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };
        if (e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'x' || e === 'u' || e === 'U') {
          const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
          const hex = t.slice(i + 2, i + 2 + len);
          if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw this.fail(`expected ${len} hex digits after \\${e}, found '${hex}'`, i);
          out += String.fromCodePoint(parseInt(hex, 16));
          i += 2 + len;
        } else {
          // Python keeps an unknown escape as written.
          out += '\\';
          i += 1;
        }
        from = i;
        continue;
      }
      i++;
    }
  }

  /** `<class 'list'>`, `<NllLossBackward0>`: opaque text. `<tf.Tensor: … numpy=0.53>`: the number. */
  private parseAngle(): unknown {
    const t = this.text;
    const open = this.pos;
    let depth = 0;
    let i = open;
    let quote = 0;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
        continue;
      }
      if (c === 39 || c === 34) quote = c;
      else if (c === 60) depth++;
      else if (c === 62 && --depth === 0) break;
      else if (c === 10) break;
    }
    if (i >= t.length || t.charCodeAt(i) !== 62) throw this.fail("unterminated '<…>' repr: expected '>' on the same line", open);
    const body = t.slice(open, i + 1);
    this.pos = i + 1;
    const numpy = /\bnumpy=/.exec(body);
    if (numpy) {
      const inner = new PyParser(t, this.fileName, this.firstLine, this.maxDepth - this.depth, open + numpy.index + numpy[0].length);
      try {
        return inner.parseOne();
      } catch {
        return body;
      }
    }
    return body;
  }

  /** A bare name (`True`, `nan`), a dotted name (`torch.float32`: opaque text) or a call `name(…)`. */
  private parseName(): unknown {
    const t = this.text;
    const begin = this.pos;
    let i = begin;
    while (isIdentChar(t.charCodeAt(i)) || (t.charCodeAt(i) === 46 && isIdentStart(t.charCodeAt(i + 1)))) i++;
    const name = t.slice(begin, i);
    // String prefixes: b'…', r'…', u'…', rb'…'.
    if (/^(?:[bBrRuU]|[bB][rR]|[rR][bB])$/.test(name) && (t.charCodeAt(i) === 39 || t.charCodeAt(i) === 34)) {
      this.pos = i;
      return this.parseString();
    }
    this.pos = i;
    let j = i;
    while (t.charCodeAt(j) === 32) j++;
    if (t.charCodeAt(j) === 40) {
      this.pos = j;
      return this.parseCall(name, begin);
    }
    if (Object.prototype.hasOwnProperty.call(NAMES, name)) return NAMES[name];
    // `np.nan`, `math.inf`, `torch.inf`; other dotted names (`torch.float32`) are opaque text.
    const last = name.slice(name.lastIndexOf('.') + 1);
    if (name.includes('.') && /^(?:nan|NaN|NAN)$/.test(last)) return NaN;
    if (name.includes('.') && /^(?:inf|Inf|INF|infty|Infinity)$/.test(last)) return Infinity;
    // A dotted name (`torch.float32`), or a bare one among a call's arguments (`dtype=float32`): opaque text.
    if (name.includes('.') || this.calls > 0) return name;
    throw this.fail(`expected a value (a dict, list, tuple, string, number, True, False, None, nan or inf), found '${name}'`, begin);
  }

  /** `name(args)`: the value the call's repr shows (see the module comment). */
  private parseCall(name: string, begin: number): unknown {
    this.enter();
    this.calls++;
    this.pos++; // (
    const positional: unknown[] = [];
    const keywords: Record<string, unknown> = {};
    let anyKeyword = false;
    for (;;) {
      this.skip();
      if (this.text.charCodeAt(this.pos) === 41) {
        this.pos++;
        break;
      }
      const kw = /^([A-Za-z_]\w*)\s*=(?!=)/.exec(this.text.slice(this.pos, this.pos + 64));
      if (kw) {
        this.pos += kw[0].length;
        this.skip();
        const v = this.parseValue();
        if (kw[1] === '__proto__') Object.defineProperty(keywords, kw[1], { value: v, enumerable: true, writable: true, configurable: true });
        else keywords[kw[1]!] = v;
        anyKeyword = true;
      } else {
        positional.push(this.parseValue());
      }
      this.skip();
      const c = this.text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 41) {
        this.pos++;
        break;
      }
      throw this.fail(`expected ',' or ')' in the arguments of ${name}(…), found ${this.here()}`);
    }
    this.depth--;
    this.calls--;
    const short = name.replace(/^(?:np|numpy|torch|jnp|jax\.numpy|tf)\./, '');
    if (MAPPING_CALLS.test(name)) {
      const container = [...positional].reverse().find((v) => v !== null && typeof v === 'object');
      if (Array.isArray(container)) return pairsToObject(container) ?? container;
      if (container) return anyKeyword ? { ...(container as object), ...keywords } : container;
      return keywords;
    }
    if (NUMBER_FROM_TEXT.test(name) && typeof positional[0] === 'string') {
      const v = positional[0].trim().toLowerCase();
      const n = v === 'nan' || v === '-nan' ? NaN : v === 'inf' || v === 'infinity' ? Infinity : v === '-inf' || v === '-infinity' ? -Infinity : Number(v);
      if (Number.isNaN(n) && !v.includes('nan')) throw this.fail(`expected a number in ${name}('…'), found '${positional[0]}'`, begin);
      return n;
    }
    if (positional.length === 0) {
      if (/^(?:set|frozenset|list|tuple|array)$/.test(short)) return [];
      return anyKeyword ? keywords : null;
    }
    if (positional.length === 1) return positional[0];
    const container = [...positional].reverse().find((v) => v !== null && typeof v === 'object');
    return container ?? positional[0];
  }

  private parseSequence(close: number, closeText: string): unknown[] {
    this.enter();
    const open = this.pos;
    this.pos++;
    const out: unknown[] = [];
    for (;;) {
      this.skip();
      if (this.pos >= this.text.length) throw this.fail(`unterminated ${closeText === ']' ? 'list' : 'tuple'}: expected '${closeText}'`, open);
      if (this.text.charCodeAt(this.pos) === close) {
        this.pos++;
        this.depth--;
        return out;
      }
      out.push(this.parseValue());
      this.skip();
      const c = this.text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === close) continue;
      if (this.pos >= this.text.length) throw this.fail(`unterminated ${closeText === ']' ? 'list' : 'tuple'}: expected '${closeText}'`, open);
      throw this.fail(`expected ',' or '${closeText}' after an element, found ${this.here()}`);
    }
  }

  /** `{k: v, …}` (a dict) or `{a, b}` (a set, read as a list). */
  private parseBraces(): unknown {
    this.enter();
    const open = this.pos;
    this.pos++;
    this.skip();
    if (this.text.charCodeAt(this.pos) === 125) {
      this.pos++;
      this.depth--;
      return {};
    }
    const out: Record<string, unknown> = {};
    const set: unknown[] = [];
    let isSet: boolean | null = null;
    for (;;) {
      this.skip();
      if (this.pos >= this.text.length) throw this.fail("unterminated dict: expected '}'", open);
      if (this.text.charCodeAt(this.pos) === 125) break;
      const keyAt = this.pos;
      const key = this.parseValue();
      this.skip();
      const c = this.text.charCodeAt(this.pos);
      if (isSet === null) isSet = c !== 58;
      if (isSet) {
        set.push(key);
      } else {
        if (c !== 58) throw this.fail(`expected ':' after the key ${describeKey(key)}, found ${this.here()}`);
        if (key !== null && typeof key === 'object') throw this.fail('expected a dict key (a string or a number), found a container', keyAt);
        this.pos++;
        this.skip();
        const value = this.parseValue();
        const k = keyText(key);
        if (k === '__proto__') Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
        else out[k] = value;
        this.skip();
      }
      const d = this.text.charCodeAt(this.pos);
      if (d === 44) {
        this.pos++;
        continue;
      }
      if (d === 125) break;
      if (this.pos >= this.text.length) throw this.fail("unterminated dict: expected '}'", open);
      throw this.fail(isSet ? `expected ',' or '}' after a set element, found ${this.here()}` : `expected ',' or '}' after the value of ${describeKey(key)}, found ${this.here()}`);
    }
    this.pos++;
    this.depth--;
    return isSet ? set : out;
  }
}

function keyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number') return Number.isInteger(key) ? String(key) : String(key);
  return String(key);
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? `'${key.slice(0, 40)}'` : String(key);
}

/** `[('loss', […]), ('acc', […])]` (OrderedDict's repr before Python 3.12) → an object; null when not pairs. */
function pairsToObject(list: unknown[]): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    if (!Array.isArray(item) || item.length !== 2 || (typeof item[0] !== 'string' && typeof item[0] !== 'number')) return null;
    const k = keyText(item[0]);
    if (k === '__proto__') Object.defineProperty(out, k, { value: item[1], enumerable: true, writable: true, configurable: true });
    else out[k] = item[1];
  }
  return out;
}
