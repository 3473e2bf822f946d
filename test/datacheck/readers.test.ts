/** Data-file readers: .npy (dtypes, byte order, Fortran order), .npz, CSV with a label column, and what bad files get. */
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { readDataFile } from '../../src/datacheck/read/index.ts';
import { parseNpy } from '../../src/datacheck/read/npy.ts';
import { DEFAULT_READ_LIMITS, VALIDATION } from '../../src/datacheck/table.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';
import { npyBytes, npzBytes } from '../support/npy-files.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const limits = DEFAULT_READ_LIMITS;

function errorOf(f: () => unknown): IngestError {
  try {
    f();
  } catch (e) {
    if (e instanceof IngestError) return e;
    throw e;
  }
  throw new Error('expected an IngestError');
}

describe('.npy', () => {
  it('reads little- and big-endian floats, bytes and int64 with their shape', () => {
    expect(Array.from(parseNpy(npyBytes([1.5, -2, 3], [3], '<f4'), 'a.npy', 1e6).values!)).toEqual([1.5, -2, 3]);
    expect(Array.from(parseNpy(npyBytes([1.5, -2, 3], [3], '>f4'), 'a.npy', 1e6).values!)).toEqual([1.5, -2, 3]);
    expect(Array.from(parseNpy(npyBytes([0, 255, 7], [3], '|u1'), 'a.npy', 1e6).values!)).toEqual([0, 255, 7]);
    const a = parseNpy(npyBytes([1, 2, 3, 4, 5, 6], [2, 3], '<i8'), 'a.npy', 1e6);
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.values!)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reorders a Fortran-order array to rows', () => {
    // [[1, 2, 3], [4, 5, 6]] stored column by column.
    const a = parseNpy(npyBytes([1, 4, 2, 5, 3, 6], [2, 3], '<f8', true), 'a.npy', 1e6);
    expect(Array.from(a.values!)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a 2-D .npy reads its last column as the label', () => {
    const t = readDataFile(npyBytes([0.1, 0.2, 0, 0.3, 0.4, 1, 0.5, 0.6, 1], [3, 3], '<f4'), 'rows.npy', limits);
    expect(t.featureSize).toBe(2);
    expect(Array.from(t.y)).toEqual([0, 1, 1]);
    expect(t.notes.join()).toContain('last column');
  });

  it('bad files name the file, the entry and what was expected', () => {
    expect(errorOf(() => parseNpy(enc('hello'), 'x.npy', 1e6)).message).toMatch(/^x\.npy: not a NumPy .npy array: expected the magic bytes/);
    const full = npyBytes([1, 2, 3, 4], [4], '<f4');
    expect(errorOf(() => parseNpy(full.subarray(0, full.length - 3), 'x.npy', 1e6)).message).toMatch(/needs 16 bytes of data, the file has 13 \(truncated\?\)/);
    const header = "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n";
    const pickled = new Uint8Array(10 + header.length + 8);
    pickled.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(pickled.buffer).setUint16(8, header.length, true);
    pickled.set(enc(header), 10);
    expect(errorOf(() => parseNpy(pickled, 'd.npz', 1e6, 'y.npy')).message).toMatch(/^d\.npz: entry 'y\.npy': dtype 'O' \(Python objects, a pickle\) is not read/);
    // The limit is checked on the declared shape, before anything is allocated.
    const huge = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }\n";
    const hb = new Uint8Array(10 + huge.length);
    hb.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(hb.buffer).setUint16(8, huge.length, true);
    hb.set(enc(huge), 10);
    expect(errorOf(() => parseNpy(hb, 'big.npy', 1e6)).message).toMatch(/10000000000 values .* more than the limit of 1000000 bytes \(INGEST_MAX_BYTES\)/);
  });
});

describe('.npz', () => {
  const x = Array.from({ length: 6 * 4 }, (_, i) => i);
  it('reads x/y, and x_train/y_train with x_val/y_val as the validation split', () => {
    const t = readDataFile(npzBytes({ x: npyBytes(x, [6, 4]), y: npyBytes([0, 1, 2, 0, 1, 2], [6], '<i8') }), 'd.npz', limits);
    expect(t.kind).toBe('rows');
    expect(t.classNames).toEqual(['0', '1', '2']);
    expect(t.hasValidation).toBe(false);
    const v = readDataFile(
      npzBytes({ x_train: npyBytes(x, [6, 4]), y_train: npyBytes([0, 1, 2, 0, 1, 2], [6], '<i8'), x_val: npyBytes(x.slice(0, 8), [2, 4]), y_val: npyBytes([5, 5], [2], '<i8') }, true),
      'd.npz',
      limits,
    );
    expect(v.y.length).toBe(8);
    expect(v.hasValidation).toBe(true);
    expect(v.split[6]).toBe(VALIDATION);
    // Labels 0, 1, 2, 5: not dense, mapped in order, names kept.
    expect(v.classNames).toEqual(['0', '1', '2', '5']);
    expect(v.names[7]).toBe('x_val[1]');
  });

  it('images (n, h, w) and one-hot labels', () => {
    const imgs = Array.from({ length: 3 * 8 * 8 }, (_, i) => i % 256);
    const t = readDataFile(npzBytes({ images: npyBytes(imgs, [3, 8, 8], '|u1'), labels: npyBytes([1, 0, 0, 1, 0, 1], [3, 2], '<f4') }), 'img.npz', limits);
    expect(t.kind).toBe('images');
    expect(t.inputShape).toEqual([8, 8, 1]);
    expect(Array.from(t.y)).toEqual([0, 1, 1]);
    expect(t.notes.join(' ')).toContain('one-hot');
  });

  it('an archive without x and y lists what it holds; mismatched lengths say so', () => {
    expect(errorOf(() => readDataFile(npzBytes({ a: npyBytes([1], [1]) }), 'd.npz', limits)).message).toBe(
      'd.npz: expected arrays named x and y (np.savez(f, x=…, y=…); also x_train/y_train with x_val/y_val), found a',
    );
    expect(errorOf(() => readDataFile(npzBytes({ x: npyBytes(x, [6, 4]), y: npyBytes([0, 1], [2], '<i8') }), 'd.npz', limits)).message).toBe(
      'd.npz: x has 6 examples and y 2 labels: expected one label per example',
    );
    expect(errorOf(() => readDataFile(npzBytes({ x: npyBytes(x, [6, 4]), y: npyBytes([0.5, 1, 2, 0, 1, 2], [6], '<f4') }), 'd.npz', limits)).message).toMatch(
      /y\[0\] is 0\.5: expected whole-number class labels/,
    );
  });

  it('the size limit covers what the members inflate to, before inflating', () => {
    const big = zipSync({ 'x.npy': new Uint8Array(2_000_000), 'y.npy': new Uint8Array(10) }, { level: 6 });
    expect(big.length).toBeLessThan(100_000);
    expect(errorOf(() => readDataFile(big, 'bomb.npz', { maxBytes: 1_000_000, maxExamples: 1000 })).message).toMatch(/refused before inflating/);
  });
});

describe('CSV', () => {
  it('takes the label column by name, one-hot encodes text columns, drops ids, reads a split column, and says so', () => {
    const csv = ['Id,colour,size,weight,split,species', '1,red,1.5,10,train,a', '2,blue,2.5,11,train,b', '3,red,1.1,12,val,a', '4,green,2.0,,train,b', '5,red,1.0,9,test,'].join('\n');
    const t = readDataFile(enc(csv), 'flowers.csv', limits);
    expect(t.classNames).toEqual(['a', 'b']);
    expect(t.y.length).toBe(4);
    expect(t.featureNames).toEqual(['colour=blue', 'colour=green', 'colour=red', 'size', 'weight']);
    expect(Array.from(t.x.subarray(0, 5))).toEqual([0, 0, 1, 1.5, 10]);
    // The missing weight is filled with the mean of the others.
    expect(t.x[3 * 5 + 4]).toBe(11);
    expect(t.hasValidation).toBe(true);
    expect(Array.from(t.split)).toEqual([0, 0, 1, 0]);
    expect(t.names[0]).toBe('line 2');
    const notes = t.notes.join('\n');
    expect(notes).toContain('label column: species');
    expect(notes).toContain('1 rows without a label left out');
    expect(notes).toContain('one-hot encoded: colour (3 categories)');
    expect(notes).toContain('left out: Id (a row id)');
    expect(notes).toContain('filled with its mean 11');
  });

  it('the last column is the label when none is named so, and --label picks one', () => {
    const csv = 'a,b,kind\n1,2,x\n3,4,y\n';
    expect(readDataFile(enc(csv), 'd.csv', limits).notes[0]).toBe('label column: kind (the last column; name it label or pass --label)');
    expect(Array.from(readDataFile(enc(csv), 'd.csv', limits, { labelColumn: 'a' }).y)).toEqual([0, 1]);
    expect(errorOf(() => readDataFile(enc(csv), 'd.csv', limits, { labelColumn: 'nope' })).message).toBe('d.csv:1: no column named "nope": the columns are a, b, kind');
  });

  it('garbage and empty files are refused with what was expected', () => {
    expect(errorOf(() => readDataFile(new Uint8Array([0, 1, 2, 0, 0, 9]), 'w.bin', limits)).message).toMatch(/^w\.bin: binary content: expected a CSV with a header line, an \.npy\/\.npz, or a zip of image folders/);
    expect(errorOf(() => readDataFile(new Uint8Array(0), 'e.csv', limits)).message).toMatch(/^e\.csv: empty file/);
    expect(errorOf(() => readDataFile(enc('just one line of words'), 'p.csv', limits)).message).toMatch(/^p\.csv:1: expected a header line/);
    expect(errorOf(() => readDataFile(enc('a,price\n1,2.5\n2,3.75\n'), 'r.csv', limits)).message).toMatch(/column price\[0\] is 2\.5: expected whole-number class labels/);
  });
});
