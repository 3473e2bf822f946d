import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assertLineLengths, assertLineLengthsUtf8, decodeText, firstInvalidUtf8, MAX_LINE_CHARS, openText } from '../../src/ingest/decode.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';

const enc = (s: string) => new TextEncoder().encode(s);

function utf16(s: string, le: boolean, bom: boolean): Uint8Array {
  const out = new Uint8Array((s.length + (bom ? 1 : 0)) * 2);
  let o = 0;
  const put = (c: number) => {
    out[o++] = le ? c & 0xff : c >> 8;
    out[o++] = le ? c >> 8 : c & 0xff;
  };
  if (bom) put(0xfeff);
  for (let i = 0; i < s.length; i++) put(s.charCodeAt(i));
  return out;
}

function caught(f: () => unknown): IngestError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return e as IngestError;
  }
  throw new Error('expected an IngestError');
}

describe('decodeText', () => {
  it('refuses an empty file and a whitespace-only file', () => {
    expect(caught(() => decodeText(new Uint8Array(0), 'a.csv')).reason).toMatch(/^empty file/);
    expect(caught(() => decodeText(enc(' \n\r\n\t'), 'a.csv')).reason).toMatch(/empty file \(only whitespace\)/);
  });

  it('strips a UTF-8 BOM', () => {
    const text = decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...enc('epoch,loss\n0,1\n')]), 'a.csv');
    expect(text).toBe('epoch,loss\n0,1\n');
    expect(openText(new Uint8Array([0xef, 0xbb, 0xbf, ...enc('x')]), 'a').utf8[0]).toBe('x'.charCodeAt(0));
  });

  it('decodes UTF-16 LE and BE, with a BOM or by the NUL pattern', () => {
    const s = 'Epoch 1/2\n10/10 - loss: 0.5\n';
    expect(decodeText(utf16(s, true, true), 'log.txt')).toBe(s);
    expect(decodeText(utf16(s, false, true), 'log.txt')).toBe(s);
    expect(decodeText(utf16(s, true, false), 'log.txt')).toBe(s);
    expect(decodeText(utf16(s, false, false), 'log.txt')).toBe(s);
    // The UTF-8 view handed to the byte-level parsers is the same text.
    expect(new TextDecoder().decode(openText(utf16(s, true, true), 'log.txt').utf8)).toBe(s);
  });

  it('names the byte offset and line of invalid UTF-8', () => {
    const bytes = new Uint8Array([...enc('epoch,loss\n0,1\n1,'), 0xc3, 0x28, ...enc('\n')]);
    const e = caught(() => decodeText(bytes, 'bad.csv'));
    expect(e.reason).toMatch(/invalid UTF-8 at byte 17/);
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/^bad\.csv:3: /);
  });

  it('finds the first invalid UTF-8 byte: truncated, overlong, surrogate, out of range', () => {
    expect(firstInvalidUtf8(enc('héllo'))).toBe(6);
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0xe2, 0x82]))).toBe(1);
    expect(firstInvalidUtf8(new Uint8Array([0xc0, 0xaf]))).toBe(0);
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0xed, 0xa0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(new Uint8Array([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
  });

  it('refuses binary data: NUL bytes or many control characters', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(caught(() => decodeText(png, 'x.png')).reason).toMatch(/^not a text log: binary data \(NUL byte at byte 8\)/);
    const controls = enc('a\x01b\x02c\x03'.repeat(20));
    expect(caught(() => decodeText(controls, 'x.bin')).reason).toMatch(/^not a text log: binary data \(60 control characters/);
  });

  it('keeps progress-bar control characters (\\r, \\b, ESC) and a stray bell', () => {
    expect(decodeText(enc('Epoch 1/1\r\x08\x08\x1b[32mok\x07\n'), 'log.txt')).toContain('\x1b[32m');
  });
});

describe('line length limit', () => {
  it('names the line that exceeds MAX_LINE_CHARS', () => {
    const text = 'epoch,loss\n0,1\n' + 'x'.repeat(MAX_LINE_CHARS + 1) + '\n';
    const e = caught(() => assertLineLengths(text, 'big.csv'));
    expect(e.line).toBe(3);
    expect(e.reason).toMatch(/exceeds the limit of 1048576 \(MAX_LINE_CHARS\)/);
    const e2 = caught(() => assertLineLengthsUtf8(enc(text), 'big.csv'));
    expect(e2.line).toBe(3);
  });

  it('the byte version finds the same offending line as the text version (property, small limit)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 14 }), fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 30 }), (lines) => {
        const text = lines.map(([len, eol]) => 'x'.repeat(len) + eol).join('');
        const lineOf = (f: () => void) => {
          try {
            f();
            return 0;
          } catch (e) {
            return (e as IngestError).line;
          }
        };
        expect(lineOf(() => assertLineLengthsUtf8(enc(text), 'p', 10))).toBe(lineOf(() => assertLineLengths(text, 'p', 10)));
      }),
      { numRuns: 300 },
    );
  });

  it('counts \\r as a line break (a progress bar redrawn in place is many short lines)', () => {
    const bar = ('1/100 [..........] - loss: 0.5' + '\r').repeat(40_000); // ~1.2 MB without a newline
    expect(() => assertLineLengths(bar + '\n', 'fit.log')).not.toThrow();
    expect(() => assertLineLengthsUtf8(enc(bar + '\n'), 'fit.log')).not.toThrow();
  });
});
