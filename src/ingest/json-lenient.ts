import { IngestError } from './ingest-error.ts';
import { errorAt, skipWhitespace } from './parser-text.ts';

/**
 * Deepest nesting of arrays/objects accepted. Real training logs stay below 10 levels; the limit exists so that a
 * hostile or broken file (10,000 `[`) is refused with a clear message instead of overflowing a stack somewhere
 * downstream (JSON.parse itself copes, but every recursive walk over the result would not).
 */
export const MAX_JSON_DEPTH = 512;

export interface LenientJsonOptions {
  maxDepth?: number;
  /** Line number of the text's first line in its file, for JSONL where each line is parsed on its own. */
  firstLine?: number;
}

/**
 * Parses JSON that may contain the bare `NaN`, `Infinity` and `-Infinity` tokens Python's json module writes
 * (Hugging Face trainer_state.json, Keras histories). Throws only IngestError: nesting deeper than the limit, or a
 * syntax error with its line, column and what was expected there.
 *
 * Fast path: the native JSON.parse (which copes with any depth itself), then an iterative depth check of the result;
 * only text that JSON.parse rejects goes through the slower hand-written parser, which accepts the Python tokens,
 * stops at the depth limit as it goes, and explains real errors precisely.
 */
export function parseJsonLenient(text: string, fileName: string, options: LenientJsonOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const firstLine = options.firstLine ?? 1;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let value: unknown;
  try {
    value = JSON.parse(start ? text.slice(start) : text);
  } catch {
    return new LenientParser(text, start, fileName, firstLine, maxDepth).parseDocument();
  }
  if (exceedsDepth(value, maxDepth)) {
    // Rare path: scan the text again only to say where.
    const at = findDepthExcess(text, start, maxDepth);
    throw errorAt(text, Math.max(at, start), fileName, firstLine, `JSON nested deeper than ${maxDepth} levels`);
  }
  return value;
}

/** Whether arrays/objects nest deeper than `max` (the top-level container is depth 1). Iterative: safe at any depth. */
export function exceedsDepth(root: unknown, max: number): boolean {
  if (typeof root !== 'object' || root === null) return false;
  const stack: object[] = [root];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const d = depths.pop()!;
    if (d > max) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        if (typeof c === 'object' && c !== null) {
          stack.push(c);
          depths.push(d + 1);
        }
      }
    } else {
      for (const k in v) {
        const c: unknown = (v as Record<string, unknown>)[k];
        if (typeof c === 'object' && c !== null) {
          stack.push(c);
          depths.push(d + 1);
        }
      }
    }
  }
  return false;
}

/**
 * Offset of the bracket that first exceeds `maxDepth`, or -1. Brackets inside strings do not count. The scan does
 * not validate anything else; that is the parser's job.
 */
export function findDepthExcess(text: string, start: number, maxDepth: number): number {
  let depth = 0;
  const n = text.length;
  for (let i = start; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Jump to the closing quote: a quote preceded by an odd run of backslashes is escaped.
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return -1; // unterminated string: let the parser report it
        let k = j - 1;
        while (text.charCodeAt(k) === 92 /* \ */) k--;
        if ((j - 1 - k) % 2 === 0) break;
      }
      i = j;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > maxDepth) return i;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      depth--;
    }
  }
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

class LenientParser {
  private pos: number;
  private depth = 0;

  constructor(
    private readonly text: string,
    start: number,
    private readonly fileName: string,
    private readonly firstLine: number,
    private readonly maxDepth: number,
  ) {
    this.pos = start;
  }

  parseDocument(): unknown {
    this.skipWhitespace();
    if (this.pos >= this.text.length) throw this.fail('expected a JSON value, found the end of the input (empty document)');
    const value = this.parseValue();
    this.skipWhitespace();
    if (this.pos < this.text.length) throw this.fail(`expected the end of the input after the top-level value, found ${this.describeHere()}`);
    return value;
  }

  private fail(reason: string, at = this.pos): IngestError {
    return errorAt(this.text, at, this.fileName, this.firstLine, reason);
  }

  private describeHere(): string {
    return this.describeAt(this.pos);
  }

  private describeAt(at: number): string {
    if (at >= this.text.length) return 'the end of the input';
    const cp = this.text.codePointAt(at)!;
    const ch = String.fromCodePoint(cp);
    return cp < 0x20 || cp === 0x7f ? `control character U+${cp.toString(16).padStart(4, '0').toUpperCase()}` : `'${ch}'`;
  }

  private skipWhitespace(): void {
    this.pos = skipWhitespace(this.text, this.pos);
  }

  private parseValue(): unknown {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 123 /* { */:
        return this.parseObject();
      case 91 /* [ */:
        return this.parseArray();
      case 34 /* " */:
        return this.parseString();
      case 116 /* t */:
        return this.literal('true', true);
      case 102 /* f */:
        return this.literal('false', false);
      case 110 /* n */:
        return this.literal('null', null);
      case 78 /* N */:
        return this.literal('NaN', NaN);
      case 73 /* I */:
        return this.literal('Infinity', Infinity);
      case 45 /* - */:
        if (this.text.startsWith('-Infinity', this.pos)) {
          this.pos += 9;
          return -Infinity;
        }
        return this.parseNumber();
      default:
        if (c >= 48 && c <= 57) return this.parseNumber();
        throw this.fail(`expected a JSON value (object, array, string, number, true, false, null, NaN or Infinity), found ${this.describeHere()}`);
    }
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) {
      const got = /^[\w.+-]+/.exec(this.text.slice(this.pos, this.pos + 32))?.[0];
      throw this.fail(`expected '${word}', found ${got ? `'${got}'` : this.describeHere()}`);
    }
    this.pos += word.length;
    return value;
  }

  private parseNumber(): number {
    // Hand-rolled grammar check (a sticky regex allocates a match per number, which dominates big histories).
    const t = this.text;
    const begin = this.pos;
    let i = begin;
    if (t.charCodeAt(i) === 45 /* - */) i++;
    const intStart = i;
    while (isDigit(t.charCodeAt(i))) i++;
    if (i === intStart) throw this.fail(`expected a number, found ${this.describeAt(begin)}`);
    if (t.charCodeAt(intStart) === 48 /* 0 */ && i - intStart > 1) throw this.fail(`malformed number '${t.slice(begin, i)}' (leading zero)`, begin);
    if (t.charCodeAt(i) === 46 /* . */) {
      const fracStart = ++i;
      while (isDigit(t.charCodeAt(i))) i++;
      if (i === fracStart) throw this.fail(`malformed number '${t.slice(begin, i + 1)}': expected digits after '.'`, begin);
    }
    const e = t.charCodeAt(i);
    if (e === 101 || e === 69 /* e E */) {
      i++;
      const sign = t.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      const expStart = i;
      while (isDigit(t.charCodeAt(i))) i++;
      if (i === expStart) throw this.fail(`malformed number '${t.slice(begin, i + 1)}': expected digits in the exponent`, begin);
    }
    const next = t.charCodeAt(i);
    if (next === 46 || (next >= 65 && next <= 90) || (next >= 97 && next <= 122)) {
      throw this.fail(`malformed number '${t.slice(begin, i + 1)}'`, begin);
    }
    this.pos = i;
    return Number(t.slice(begin, i));
  }

  private parseString(): string {
    const t = this.text;
    const open = this.pos;
    let i = open + 1;
    // Fast path: no escapes and no control characters before the closing quote.
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return t.slice(open + 1, i);
      }
      if (c === 92 || c < 0x20 || Number.isNaN(c)) break;
      i++;
    }
    let out = t.slice(open + 1, i);
    for (;;) {
      if (i >= t.length) throw this.fail('unterminated string: expected a closing \'"\'', open);
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return out;
      }
      if (c < 0x20) {
        this.pos = i;
        throw this.fail(`unescaped ${this.describeHere()} inside a string (expected \\n, \\t or \\u escapes)`);
      }
      if (c !== 92) {
        out += t[i];
        i++;
        continue;
      }
      const e = t[i + 1];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = t.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = i;
            throw this.fail(`expected four hex digits after \\u, found '${hex}'`);
          }
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          this.pos = i;
          throw this.fail(`invalid escape '\\${e ?? ''}' in a string (expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`);
      }
      i += 2;
    }
  }

  private enter(): void {
    // The scan already refused deep input; this keeps the recursion bounded whatever happens.
    if (++this.depth > this.maxDepth) throw this.fail(`JSON nested deeper than ${this.maxDepth} levels`);
  }

  private parseArray(): unknown[] {
    this.enter();
    this.pos++; // [
    const out: unknown[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 93) {
      this.pos++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      out.push(this.parseValue());
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        this.skipWhitespace();
        if (this.text.charCodeAt(this.pos) === 93) throw this.fail("trailing comma: expected a value after ',' in an array");
        continue;
      }
      if (c === 93) {
        this.pos++;
        this.depth--;
        return out;
      }
      throw this.fail(`expected ',' or ']' after an array element, found ${this.describeHere()}`);
    }
  }

  private parseObject(): Record<string, unknown> {
    this.enter();
    this.pos++; // {
    const out: Record<string, unknown> = {};
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 125) {
      this.pos++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 34) {
        throw this.fail(`expected a '"'-quoted property name, found ${this.describeHere()}`);
      }
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 58) throw this.fail(`expected ':' after property name "${key}", found ${this.describeHere()}`);
      this.pos++;
      this.skipWhitespace();
      const value = this.parseValue();
      // Plain assignment of "__proto__" would replace the prototype; JSON.parse makes it an own property.
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        this.skipWhitespace();
        if (this.text.charCodeAt(this.pos) === 125) throw this.fail("trailing comma: expected a property name after ',' in an object");
        continue;
      }
      if (c === 125) {
        this.pos++;
        this.depth--;
        return out;
      }
      throw this.fail(`expected ',' or '}' after the value of "${key}", found ${this.describeHere()}`);
    }
  }
}
