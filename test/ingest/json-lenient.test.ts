import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IngestError } from '../../src/ingest/ingest-error.ts';
import { parseFile } from '../../src/ingest/index.ts';
import { MAX_JSON_DEPTH, exceedsDepth, parseJsonLenient } from '../../src/ingest/json-lenient.ts';
import { ingestErrorOf as errorOf } from '../support/ingest-helpers.ts';

describe('parseJsonLenient', () => {
  it('reads plain JSON exactly like JSON.parse', () => {
    const text = '{"a": [1, -2.5e-3, true, null, "x\\u00e9\\n"], "b": {"c": {}}}';
    expect(parseJsonLenient(text, 'f.json')).toEqual(JSON.parse(text));
  });

  it('accepts the bare NaN, Infinity and -Infinity tokens Python writes', () => {
    const v = parseJsonLenient('{"loss": NaN, "grad_norm": Infinity, "x": [-Infinity, 1.5]}', 'f.json') as Record<string, unknown>;
    expect(v.loss).toBeNaN();
    expect(v.grad_norm).toBe(Infinity);
    expect(v.x).toEqual([-Infinity, 1.5]);
  });

  it('keeps NaN inside strings as text and strips a BOM', () => {
    expect(parseJsonLenient('\uFEFF{"s": "NaN [ {", "v": NaN}', 'f.json')).toEqual({ s: 'NaN [ {', v: NaN });
  });

  it('refuses JSON nested 10,000 deep with a typed error naming the limit (both fast and lenient paths)', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const e = errorOf(() => parseJsonLenient(deep, 'deep.json'));
    expect(e.reason).toContain(`nested deeper than ${MAX_JSON_DEPTH}`);
    expect(e.file).toBe('deep.json');
    expect(e.line).toBe(1);
    const deepNaN = '{"a":'.repeat(10_000) + 'NaN' + '}'.repeat(10_000);
    expect(errorOf(() => parseJsonLenient(deepNaN, 'deep.json')).reason).toContain(`nested deeper than ${MAX_JSON_DEPTH}`);
  });

  it('accepts nesting up to the limit and honours a custom limit', () => {
    const atLimit = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(() => parseJsonLenient(atLimit, 'f.json')).not.toThrow();
    expect(errorOf(() => parseJsonLenient('[[[1]]]', 'f.json', { maxDepth: 2 })).reason).toContain('nested deeper than 2');
  });

  it('reports a syntax error with line, column and what was expected', () => {
    const e = errorOf(() => parseJsonLenient('{\n  "a": 1,\n  "b": 2\n  "c": 3\n}', 'state.json'));
    expect(e.line).toBe(4);
    expect(e.reason).toBe(`column 3: expected ',' or '}' after the value of "b", found '"'`);
    expect(e.message).toBe(`state.json:4: column 3: expected ',' or '}' after the value of "b", found '"'`);
  });

  it.each([
    ['', 1, 'empty document'],
    ['{"a": [1, 2,]}', 1, 'trailing comma'],
    ['{"a": tru}', 1, "expected 'true', found 'tru'"],
    ['{"a": 01}', 1, "malformed number '01'"],
    ['{"a": 1.}', 1, "expected digits after '.'"],
    ['{"a": nan}', 1, "expected 'null', found 'nan'"],
    ['{"a": "x', 1, 'unterminated string'],
    ['{"a": "bad \\q escape"}', 1, "invalid escape '\\q'"],
    ['[1, 2]\n[3]', 2, 'expected the end of the input'],
    ['{a: 1}', 1, "expected a '\"'-quoted property name"],
    ['{"a" 1}', 1, `expected ':' after property name "a"`],
  ])('%j → line %i, %s', (text, line, reason) => {
    const e = errorOf(() => parseJsonLenient(text, 'f.json'));
    expect(e.line).toBe(line);
    expect(e.reason).toContain(reason);
  });

  it('offsets line numbers for text that starts further down a file (JSONL)', () => {
    expect(errorOf(() => parseJsonLenient('{"a": }', 'log.jsonl', { firstLine: 42 })).line).toBe(42);
  });

  it('makes "__proto__" an own property, as JSON.parse does, on the lenient path too', () => {
    const v = parseJsonLenient('{"__proto__": {"polluted": 1}, "x": NaN}', 'f.json') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__', 'x']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('agrees with JSON.parse on any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        // Force the lenient path by appending a NaN the fast path rejects, then compare the rest.
        const wrapped = parseJsonLenient(`[${text}, NaN]`, 'p.json') as unknown[];
        expect(wrapped[0]).toEqual(JSON.parse(text));
        expect(wrapped[1]).toBeNaN();
      }),
      { numRuns: 200 },
    );
  });

  it('throws nothing but IngestError on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        try {
          parseJsonLenient(s, 'r.json');
        } catch (e) {
          expect(e).toBeInstanceOf(IngestError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('exceedsDepth', () => {
  it('counts the top-level container as depth 1', () => {
    expect(exceedsDepth(1, 0)).toBe(false);
    expect(exceedsDepth([], 1)).toBe(false);
    expect(exceedsDepth([[]], 1)).toBe(true);
    expect(exceedsDepth({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(exceedsDepth({ a: [{ b: {} }] }, 3)).toBe(true);
  });
});

describe('JSON that no parser claims, through parseFile', () => {
  const enc = new TextEncoder();
  it('10,000-deep nesting gets the depth error, a syntax error its line and column, a valid document the expected shapes', () => {
    const deep = errorOf(() => parseFile(enc.encode('['.repeat(10_000) + ']'.repeat(10_000)), 'deep.json'));
    expect(deep.reason).toContain(`nested deeper than ${MAX_JSON_DEPTH}`);
    const broken = errorOf(() => parseFile(enc.encode('[\n  1,\n  2,\n'), 'broken.json'));
    expect([broken.line, broken.reason]).toEqual([4, 'column 1: expected a JSON value (object, array, string, number, true, false, null, NaN or Infinity), found the end of the input']);
    const shape = errorOf(() => parseFile(enc.encode('{"model": "resnet", "layers": 18}'), 'config.json'));
    expect(shape.reason).toMatch(/^JSON of an unrecognised shape: expected a Keras History/);
  });
});
