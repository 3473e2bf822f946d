import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IngestError } from '../../../src/ingest/ingest-error.ts';
import { isTfeventsFile, parseTfeventsTree } from '../../../src/ingest/tfevents/index.ts';
import { REAL_LOGS_DIR } from '../../support/real-logs.ts';
import { concatBytes, eventFile, frameRecord, simpleScalar, tf2Scalar, DT_HALF } from '../../support/tfevents-writer.ts';

/** The only thing the reader may throw is IngestError; anything else fails the property. */
function onlyIngestErrors(bytes: Uint8Array): boolean {
  try {
    isTfeventsFile(bytes);
    parseTfeventsTree([{ path: 'run/events.out.tfevents.1', bytes }], 'fuzz');
  } catch (e) {
    if (e instanceof IngestError) return true;
    throw e;
  }
  return true;
}

/** Splits a well-framed file into its payloads. */
function payloads(file: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let o = 0; o + 12 <= file.length; ) {
    const len = dv.getUint32(o, true);
    if (o + 16 + len > file.length) break;
    out.push(file.subarray(o + 12, o + 12 + len));
    o += 16 + len;
  }
  return out;
}

const synthetic = eventFile(
  Array.from({ length: 12 }, (_, i) => ({
    wallTime: 100 + i,
    step: i * 7,
    values: [
      simpleScalar('Loss/train', 1 / (i + 1)),
      tf2Scalar('epoch_accuracy', i / 12, i === 0),
      { tag: 'h', pluginName: i === 0 ? 'scalars' : undefined, tensor: { dtype: DT_HALF, halfVal: [0x3c00 + i] } },
      { tag: 'w', histo: [1, 2, 3] },
    ],
  })),
);

const corpus: Array<[string, Uint8Array]> = [['synthetic', synthetic]];
if (REAL_LOGS_DIR) {
  for (const rel of [
    '04_tensorboardx/events.out.tfevents.1600155893.yca-2662-2',
    '03_lightning/lightning_logs/version_0/events.out.tfevents.1770914349.home-mini.local.48068.0',
    '02_pytorch_summarywriter/events.out.tfevents.1690037679.VCh.13540.3',
  ]) {
    corpus.push([rel, new Uint8Array(readFileSync(path.join(REAL_LOGS_DIR, 'tfevents', rel)))]);
  }
}
const corpusArb = fc.constantFrom(...corpus.map(([, b]) => b));

describe('fuzzing the event-file reader: only IngestError may escape', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), onlyIngestErrors), { numRuns: 300 });
  });

  it('random records with valid framing (the decoder sees garbage behind good CRCs)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 8 }), (recs) => onlyIngestErrors(concatBytes(recs.map(frameRecord)))),
      { numRuns: 300 },
    );
  });

  it(`mutated files (${corpus.map(([n]) => n).join(', ')}): flipped bytes and cuts`, () => {
    fc.assert(
      fc.property(
        corpusArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat()),
        (file, flips, cut) => {
          const b = file.slice();
          for (const [at, x] of flips) b[at % b.length] ^= x;
          return onlyIngestErrors(cut === null ? b : b.subarray(0, cut % (b.length + 1)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('mutated payloads re-framed with correct CRCs', () => {
    fc.assert(
      fc.property(
        corpusArb,
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (file, edits) => {
          const recs = payloads(file).map((p) => p.slice());
          for (const [r, at, x] of edits) {
            const p = recs[r % recs.length];
            if (p.length) p[at % p.length] = x;
          }
          return onlyIngestErrors(concatBytes(recs.map(frameRecord)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('random folder layouts of valid files (splits, add_scalars-like, numeric and odd folder names)', () => {
    const segment = fc.constantFrom('', '.', 'train', 'validation', 'eval', 'test', 'runs', 'exp', 'loss', 'loss_train', 'Loss', 'acc', 'version_0', '123.5', 'a/b', '__proto__');
    const file = fc.constantFrom(
      ...corpus.map(([, b]) => b),
      eventFile([{ wallTime: 3, step: 1, values: [simpleScalar('loss', 1)] }]),
      eventFile([{ wallTime: 4, step: 1, values: [simpleScalar('acc', 0.5)] }]),
      eventFile([{ wallTime: 5, graphDef: new Uint8Array(4) }]),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(segment, { maxLength: 4 }), file), { minLength: 1, maxLength: 6 }), (specs) => {
        const entries = specs.map(([segs, bytes], i) => ({ path: [...segs, `events.out.tfevents.${i}`].join('/'), bytes }));
        try {
          const logs = parseTfeventsTree(entries, 'root');
          expect(logs.length).toBeGreaterThan(0);
          for (const log of logs) expect(log.series.length).toBeGreaterThan(0);
        } catch (e) {
          if (!(e instanceof IngestError)) throw e;
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the unmutated corpus parses', () => {
    for (const [name, bytes] of corpus) {
      expect(isTfeventsFile(bytes), name).toBe(true);
      if (!name.startsWith('02_')) expect(parseTfeventsTree([{ path: name, bytes }], 'x').length, name).toBe(1);
    }
  });
});
