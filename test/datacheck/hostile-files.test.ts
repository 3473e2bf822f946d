/**
 * Bad input never crashes the data check: truncated, bit-flipped and random files of every kind end in an IngestError
 * naming the file (the CLI's exit 2, the bot's private "Could not read …"), or in a report, never another exception.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { readDataFile } from '../../src/datacheck/read/index.ts';
import { runDataCheck } from '../../src/datacheck/index.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';
import { npyBytes, npzBytes } from '../support/npy-files.ts';

const limits = { maxBytes: 4_000_000, maxExamples: 5000 };

function png(w: number, h: number): Uint8Array {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h * 4; i++) p.data[i] = (i * 37) % 256;
  return new Uint8Array(PNG.sync.write(p));
}

const seeds: Record<string, Uint8Array> = {
  'd.npz': npzBytes({ x: npyBytes(Array.from({ length: 40 }, (_, i) => i / 40), [10, 4]), y: npyBytes([0, 1, 0, 1, 0, 1, 0, 1, 0, 1], [10], '<i8') }),
  'a.npy': npyBytes(Array.from({ length: 30 }, (_, i) => i % 3), [10, 3], '<f8'),
  'd.csv': new TextEncoder().encode('a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n'),
  'i.zip': zipSync({ 'cat/1.png': png(6, 5), 'dog/2.png': png(6, 5), 'dog/3.png': png(4, 4) }),
};

function survive(bytes: Uint8Array, name: string): void {
  try {
    const t = readDataFile(bytes, name, limits);
    runDataCheck(t, { skipLabelErrors: t.y.length > 200 });
  } catch (e) {
    if (!(e instanceof IngestError)) throw new Error(`${name}: ${(e as Error).stack}`);
    expect(e.file).toBe(name);
  }
}

describe('hostile data files', () => {
  for (const [name, bytes] of Object.entries(seeds)) {
    it(`${name}: every truncation and random byte flips end in a report or an IngestError`, () => {
      for (let cut = 0; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 60))) survive(bytes.subarray(0, cut), name);
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (flips) => {
          const b = bytes.slice();
          for (const [at, v] of flips) b[at] = v;
          survive(b, name);
        }),
        { numRuns: 150, seed: 19 },
      );
    });
  }

  it('damaged members inside a sound archive: .npy headers and data, PNG chunks', () => {
    const members: Record<string, Record<string, Uint8Array>> = {
      'm.npz': { 'x.npy': npyBytes(Array.from({ length: 40 }, (_, i) => i), [10, 4], '<f4'), 'y.npy': npyBytes([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], [10], '<i8') },
      'p.zip': { 'cat/1.png': png(6, 5), 'dog/2.png': png(7, 5) },
    };
    for (const [name, files] of Object.entries(members)) {
      const keys = Object.keys(files);
      fc.assert(
        fc.property(fc.nat(keys.length - 1), fc.array(fc.tuple(fc.nat(10_000), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(200), (k, flips, cut) => {
          const damaged = { ...files };
          const b = files[keys[k]!]!.slice(0, Math.max(1, files[keys[k]!]!.length - (cut % 3 === 0 ? cut : 0)));
          for (const [at, v] of flips) b[at % b.length] = v;
          damaged[keys[k]!] = b;
          survive(zipSync(damaged), name);
        }),
        { numRuns: 300, seed: 23 },
      );
    }
  });

  it('random bytes, and random text as CSV', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => survive(b, 'r.bin')), { numRuns: 200, seed: 7 });
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => survive(new TextEncoder().encode(s), 'r.csv')), { numRuns: 200, seed: 8 });
  });
});
