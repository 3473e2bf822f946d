import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CELL_MISSING, CELL_NUMBER, CELL_TEXT, classifyToken, findCsvHead, MAX_CSV_COLUMNS, parseCsv } from '../../src/ingest/csv.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';

describe('findCsvHead', () => {
  it('sniffs the separator from the header and the first row', () => {
    expect(findCsvHead('epoch,loss\n0,1\n')?.separator).toBe(',');
    expect(findCsvHead('epoch;loss\n0;1\n')?.separator).toBe(';');
    expect(findCsvHead('epoch\tloss\n0\t1\n')?.separator).toBe('\t');
    expect(findCsvHead('epoch|loss\n0|1\n')?.separator).toBe('|');
  });

  it('skips a title line before the header and reports it', () => {
    const head = findCsvHead('model_history_log\r\nepoch;accuracy;loss\r\n0;0.4;1.5\r\n');
    expect(head).toMatchObject({ separator: ';', header: ['epoch', 'accuracy', 'loss'], headerLine: 2, preamble: ['model_history_log'] });
  });

  it('does not take a row of numbers or prose for a header', () => {
    expect(findCsvHead('0,1,2\n3,4,5\n')).toBeNull();
    expect(findCsvHead('Hello, world. This is a README.\n\nNothing here.\n')).toBeNull();
  });

  it('prefers the separator that splits into the most consistent fields (decimal commas under ;)', () => {
    expect(findCsvHead('epoch;loss;val_loss\n0;0,5;0,6\n')).toMatchObject({ separator: ';', header: ['epoch', 'loss', 'val_loss'] });
  });
});

describe('parseCsv', () => {
  it('reads numbers exactly as JavaScript would (short, 17-digit, exponents, signs)', () => {
    const cells = [
      '0', '1', '-2.5', '0.05603187158703804', '0.98474383354187012', '1e-06', '2.447174185242323e-06', '+3.25', '1E3',
      '123456789012345678901', '.5', '7.', '9.9999999999999999e5', '-1.2345678901234567e-5', '0.000000000000000012345678901234567',
      '9007199254740993', '9007199254740993e-3', '00000.12345678901234567',
    ];
    const t = parseCsv(`a,b\n${cells.map((c) => `${c},1`).join('\n')}\n`, 'x.csv');
    expect(Array.from(t.columns[0]!.values)).toEqual(cells.map(Number));
  });

  it('matches Number() on long mantissas with exponents (property)', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(digits, digits, fc.integer({ min: -30, max: 30 }), fc.boolean(), (a, b, e, withExp) => {
        const s = `${a}.${b}${withExp ? `e${e}` : ''}`;
        expect(parseCsv(`v,w\n${s},0\n`, 'p.csv').columns[0]!.values[0]).toBe(Number(s));
      }),
      { numRuns: 500 },
    );
  });

  it('matches Number() on random decimal strings (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 50 }), fc.boolean(), (xs, exp) => {
        const strs = xs.map((x) => (exp ? x.toExponential() : String(x)));
        const t = parseCsv(`v,w\n${strs.map((s) => `${s},0`).join('\n')}\n`, 'p.csv');
        expect(Array.from(t.columns[0]!.values)).toEqual(strs.map(Number));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps NaN and ±Infinity as values, reads empty/NA/null as missing', () => {
    const t = parseCsv('epoch,loss\n0,NaN\n1,nan\n2,inf\n3,-inf\n4,Infinity\n5,\n6,NA\n7,null\n8,-Infinity\n', 'x.csv');
    const loss = t.columns[1]!;
    expect(Array.from(loss.values.slice(0, 5))).toEqual([NaN, NaN, Infinity, -Infinity, Infinity]);
    expect(Array.from(loss.kinds)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 1].map((k) => (k ? CELL_NUMBER : CELL_MISSING)));
    expect(loss.values[8]).toBe(-Infinity);
    expect(loss.missing).toBe(3);
  });

  it('handles CRLF, quoted fields (with separators, quotes and newlines), spaces and blank lines', () => {
    const t = parseCsv('"epoch","loss","note"\r\n0,"0.5","a, ""b"""\r\n\r\n1, 0.25 ,"multi\nline"\r\n2,0.125,plain', 'q.csv');
    expect(t.rows).toBe(3);
    expect(Array.from(t.columns[1]!.values)).toEqual([0.5, 0.25, 0.125]);
    expect(t.columns[2]!.text.get(0)).toBe('a, "b"');
    expect(t.columns[2]!.text.get(1)).toBe('multi\nline');
    expect(t.columns[2]!.kinds[2]).toBe(CELL_TEXT);
    expect(Array.from(t.lines)).toEqual([2, 4, 6]);
  });

  it('reads files with bare CR line ends (classic Mac) and no final line break', () => {
    const t = parseCsv(`epoch,loss\r${Array.from({ length: 50 }, (_, i) => `${i},${i / 2}`).join('\r')}`, 'mac.csv');
    expect(t.rows).toBe(50);
    expect(t.columns[1]!.values[49]).toBe(24.5);
    expect(t.lines[49]).toBe(51);
  });

  it('reads decimal commas when the separator is not a comma', () => {
    const t = parseCsv('epoch;loss\n0;0,5\n1;1,25e-1\n', 'eu.csv');
    expect(Array.from(t.columns[1]!.values)).toEqual([0.5, 0.125]);
  });

  it('fills short rows with missing cells and refuses extra non-empty fields, naming the line', () => {
    const t = parseCsv('a,b,c\n0,0,0\n1,2\n3,4,5,\n', 'r.csv');
    expect(t.columns[2]!.kinds[1]).toBe(CELL_MISSING);
    expect(t.columns[2]!.values[2]).toBe(5);
    try {
      parseCsv('a,b\n1,2\n3,4,5\n', 'r.csv');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IngestError);
      expect((e as IngestError).line).toBe(3);
      expect((e as IngestError).reason).toBe('expected 2 fields as in the header (line 1), found 3');
    }
  });

  it('records a repeated header as a boundary, not a row', () => {
    const t = parseCsv('epoch,loss\n0,1\n1,0.5\nepoch,loss\n0,2\n', 'cat.csv');
    expect(t.rows).toBe(3);
    expect(t.headerRepeats).toEqual([2]);
    expect(t.columns[1]!.texts).toBe(0);
  });

  it('refuses tables beyond the column and cell limits before allocating them', () => {
    const wide = Array.from({ length: MAX_CSV_COLUMNS + 1 }, (_, i) => `c${i}`).join(',');
    expect(() => parseCsv(`${wide}\n${wide.replace(/c\d+/g, '1')}\n`, 'w.csv')).toThrow(/w\.csv:1: 10001 columns exceed the limit of 10000/);
    const ragged = `${Array.from({ length: 2000 }, (_, i) => `c${i}`).join(',')}\n${'1,'.repeat(1999)}1\n${'1\n'.repeat(60_000)}`;
    expect(() => parseCsv(ragged, 'r.csv')).toThrow(/r\.csv:1: 2000 columns × 60002 lines exceed the limit of 100000000 cells/);
  });

  it('refuses an unterminated quote with its line', () => {
    expect(() => parseCsv('a,b\n1,"oops\n', 'u.csv')).toThrow(/u\.csv:2: unterminated quoted field/);
  });
});

describe('classifyToken', () => {
  it('unwraps tensor(…) cells and treats other words as text', () => {
    expect(classifyToken('tensor(0.25)', ',')).toEqual({ kind: CELL_NUMBER, value: 0.25 });
    expect(classifyToken("tensor(0.5, device='cuda:0')", ',')).toEqual({ kind: CELL_NUMBER, value: 0.5 });
    expect(classifyToken('adam', ',').kind).toBe(CELL_TEXT);
    expect(classifyToken('0x10', ',').kind).toBe(CELL_TEXT);
  });
});
