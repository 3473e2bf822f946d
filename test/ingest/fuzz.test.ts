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
import { CONSOLE_LOGS_DIR } from '../support/console-logs.ts';
import { REAL_LOGS_DIR, REPO_ROOT } from '../support/real-logs.ts';

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
      // The console reader keeps one point per position: its steps only go up.
      if (r.format === 'console_text') for (let i = 1; i < s.steps.length; i++) expect(s.steps[i]!).toBeGreaterThan(s.steps[i - 1]!);
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

/** Pieces of console output: bars, escapes, redraws, counters, names, separators, tables, dicts. */
const CONSOLE_FRAGMENTS = [
  '\n', '\r\n', '\r', '\x08\x08\x08', '\x1b[32m', '\x1b[0m', '\x1b[A', '\x1b[2K', '\x1b]0;t\x07', '\t', ' ', '   ', '|', ':', '=', ',', ' - ', '[', ']', '(', ')', '{', '}', "'", '%', '/',
  'Epoch', 'epoch', 'Epoch 3/20', 'Epoch 0:', 'epoch [3]', 'Epoch: 0010', 'step', 'step:25K', 'Step [100/390]', 'iter 100', 'Iteration 9400', 'Batch 0050/0469', '[1]', '[it/200000]',
  'loss', 'Loss: 2.3', 'loss=0.5', 'val_loss: 0.4', 'Valid loss: 5.1', 'cost = 15.2', 'train-rmse:7.1', 'acc: 97.3%', 'lr: 1e-3', "{'loss': '0.69', 'epoch': 0.5}", '0.5 loss', '0 completed epochs',
  '100%|██████████| 625/625 [03:20<00:00, 3.12it/s, loss=6.7]', ' 12/100 [==>.......] - ETA: 3s - loss: 0.4', 'Epoch 1/2 ━━━━╺━━━ 4/8 0:00:01', '| epoch | loss |', '|---:|---:|', '```',
  'Train Epoch: 1 [640/60000 (1%)]', 'Test set: Average loss: 0.05, Accuracy: 9847/10000 (98%)', '2024-01-01 12:00:00,123 INFO', 'Validation', 'evaluate:dev', 'Saving best model',
  '0', '1', '-1', '0.5', '1e-05', '-1e', 'nan', 'inf', '25K', '418s', '1629511453423918336.000000', '\u00e9', '💥', '\uFFFD',
];

describe('fuzz the console reader', () => {
  it('console-like text assembled from fragments: only IngestError, steps that only go up', () => {
    const text = fc.array(fc.constantFrom(...CONSOLE_FRAGMENTS), { maxLength: 200 }).map((parts) => parts.join(''));
    fc.assert(fc.property(text, (t) => onlyIngestErrors(new TextEncoder().encode(t), 'console.log')), { numRuns: 400 });
  });

  it('the same lines many times over, shuffled: only IngestError', () => {
    const line = fc.array(fc.constantFrom(...CONSOLE_FRAGMENTS), { minLength: 1, maxLength: 12 }).map((p) => p.join(''));
    const text = fc.tuple(fc.array(line, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { minLength: 5, maxLength: 60 }))
      .map(([lines, picks]) => picks.map((k) => lines[k % lines.length]).join('\n'));
    fc.assert(fc.property(text, (t) => onlyIngestErrors(new TextEncoder().encode(t), 'console.log')), { numRuns: 300 });
  });
});

describe.skipIf(!CONSOLE_LOGS_DIR)('fuzz parseFile with mutated console logs', () => {
  const dir = CONSOLE_LOGS_DIR ?? '';
  const fixtures = path.join(REPO_ROOT, 'test', 'fixtures', 'console');
  const logs = CONSOLE_LOGS_DIR
    ? [
        ...readdirSync(dir).filter((f) => /^\d{3}_/.test(f)).sort().map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(path.join(dir, f))).subarray(0, 20_000) })),
        ...readdirSync(fixtures).filter((f) => f.endsWith('.log')).sort().map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(path.join(fixtures, f))) })),
      ]
    : [];

  it('byte flips, deletions, insertions and truncations of real console output: only IngestError', () => {
    const mutation = fc.record({
      log: fc.nat({ max: Math.max(0, logs.length - 1) }),
      edits: fc.array(fc.tuple(fc.constantFrom('flip', 'delete', 'insert', 'truncate'), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
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
          else if (kind === 'insert') b = concat(b.subarray(0, i), Uint8Array.of(byte, byte === 10 ? 13 : 10), b.subarray(i));
          else b = b.subarray(0, i);
        }
        onlyIngestErrors(b, logs[log]!.name);
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
