/**
 * Property: whatever bytes reach parseFile, the only thing it may throw is an IngestError (and what it returns is
 * well-formed). Random bytes, text assembled from log-like fragments, and real logs with random mutations.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import type { RunLog } from '../../src/domain/run.ts';
import { IngestError, parseFile } from '../../src/ingest/index.ts';
import { REAL_LOGS_DIR } from '../support/real-logs.ts';

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function onlyIngestErrors(bytes: Uint8Array, name = 'fuzz.log'): void {
  let runs: RunLog[];
  try {
    runs = parseFile(bytes, name);
  } catch (e) {
    if (!(e instanceof IngestError)) throw new Error(`non-IngestError thrown: ${String(e)}\n${(e as Error).stack ?? ''}`);
    expect(e.reason.length).toBeGreaterThan(0);
    return;
  }
  expect(runs.length).toBeGreaterThan(0);
  for (const r of runs) {
    for (const s of r.series) {
      expect(s.steps.length).toBe(s.values.length);
      if (s.epochs) expect(s.epochs.length).toBe(s.values.length);
    }
  }
}

const FRAGMENTS = [
  'epoch', 'step', 'loss', 'val_loss', 'train_loss_step', 'lr-AdamW', 'acc', ',', ';', '\t', '|', '"', '""', '\n', '\r\n', '\r', '\b',
  '0', '1', '-1', '0.5', '1e-3', '1e400', 'NaN', 'nan', 'inf', '-Infinity', 'NA', '', ' ', 'tensor(0.3)', 'Epoch 1/3', 'Epoch 2/3',
  ' - loss: 0.4', ' - val_loss: nan', '| epoch 1 |', ' 200/ 400 batches |', '| end of epoch 1 |', ' valid loss 5.2 |', '{', '}', '[', ']',
  '"loss": [1, 2]', '{"step": 1, "loss": 0.5}', 'Namespace(lr=1)', '12345678901234567890.123', '\u00e9', '💥',
];

describe('fuzz parseFile', () => {
  it('random bytes: only IngestError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => onlyIngestErrors(b)), { numRuns: 300 });
  });

  it('log-like text assembled from fragments: only IngestError', () => {
    const text = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 80 }).map((parts) => parts.join(''));
    fc.assert(fc.property(text, (t) => onlyIngestErrors(new TextEncoder().encode(t))), { numRuns: 400 });
  });

  it('CSV-shaped text with a loss column and random cells: only IngestError', () => {
    const cell = fc.oneof(fc.double().map(String), fc.constantFrom('', 'NaN', 'NA', 'inf', 'x', '"1,5"', '1,5'), fc.integer().map(String));
    const csv = fc.tuple(fc.constantFrom(',', ';', '\t', '|'), fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 20 }), fc.constantFrom('epoch', 'step', 'iter', ''))
      .map(([sep, rows, x]) => [[x, 'loss', 'val_loss', 'acc', 'lr'].join(sep), ...rows.map((r) => r.join(sep))].join('\n'));
    fc.assert(fc.property(csv, (t) => onlyIngestErrors(new TextEncoder().encode(t), 'f.csv')), { numRuns: 300 });
  });

  it('zips of random members: only IngestError', () => {
    const member = fc.tuple(fc.constantFrom('a.csv', 'b/metrics.csv', '../x', 'c.json', 'd.zip', 'README.md'), fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(strToU8('epoch,loss\n0,1\n'), strToU8('oops'))));
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 4 }), fc.nat(), (members, cut) => {
        const zip = zipSync(Object.fromEntries(members));
        onlyIngestErrors(zip, 'f.zip');
        onlyIngestErrors(zip.subarray(0, cut % (zip.length + 1)), 'f.zip');
      }),
      { numRuns: 150 },
    );
  });
});

describe.skipIf(!REAL_LOGS_DIR)('fuzz parseFile with mutated real logs', () => {
  const dir = REAL_LOGS_DIR ?? '';
  const logs = REAL_LOGS_DIR ? readdirSync(dir).filter((f) => /^\d{3}_/.test(f)).sort().map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(path.join(dir, f))) })) : [];

  it('byte flips, deletions, insertions and truncations: only IngestError', () => {
    const mutation = fc.record({
      log: fc.nat({ max: Math.max(0, logs.length - 1) }),
      edits: fc.array(fc.tuple(fc.constantFrom('flip', 'delete', 'insert', 'truncate'), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
    });
    fc.assert(
      fc.property(mutation, ({ log, edits }) => {
        let b: Uint8Array = logs[log]!.bytes;
        for (const [kind, at, byte] of edits) {
          const i = b.length ? at % b.length : 0;
          if (kind === 'flip') {
            b = b.slice();
            b[i] = byte;
          } else if (kind === 'delete') b = concat(b.subarray(0, i), b.subarray(Math.min(b.length, i + 1 + (byte % 40))));
          else if (kind === 'insert') b = concat(b.subarray(0, i), Uint8Array.of(byte, byte === 10 ? 44 : 10), b.subarray(i));
          else b = b.subarray(0, i);
        }
        onlyIngestErrors(b, logs[log]!.name);
      }),
      { numRuns: 120 },
    );
  });
});
