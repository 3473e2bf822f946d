import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ingestBytes, ingestPaths, type LogParser } from '../../src/app/ingest-files.ts';
import { showRun } from '../../src/app/show-run.ts';
import type { RunLog } from '../../src/domain/run.ts';
import type { FileEntry } from '../../src/ingest/entries.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { RunNotFoundError } from '../../src/store/run-store.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { runLog, series } from '../support/run-log-fixtures.ts';

/** A stand-in parser: "loss=1,2,3" per line → one run per line; "bad" → IngestError. Lets these tests pin the use case alone. */
const fakeParser: LogParser & { entriesSeen: string[][] } = {
  entriesSeen: [],
  parseFile(bytes, fileName) {
    const text = new TextDecoder().decode(bytes);
    if (text.startsWith('bad')) throw new IngestError({ file: fileName, line: 1, reason: 'expected loss=' });
    return text.trim().split('\n').map((line, i): RunLog => runLog(`${path.basename(fileName)}#${i}`, [series('loss', line.slice(5).split(',').map(Number))]));
  },
  parseEntries(entries: FileEntry[], rootName: string) {
    this.entriesSeen.push(entries.map((e) => e.path));
    return entries.flatMap((e) => this.parseFile(e.bytes, `${rootName}/${e.path}`));
  },
};

let dir: string;
let db: Database;
let store: SqliteRunStore;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-ingest-'));
  db = openDatabase(':memory:');
  store = new SqliteRunStore(db);
  fakeParser.entriesSeen = [];
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});
const write = (rel: string, text: string) => {
  const p = path.join(dir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};
const opts = { parser: fakeParser };

describe('ingestPaths', () => {
  it('stores every run of every path and reports where each came from', async () => {
    const a = write('a.log', 'loss=3,2,1\nloss=5,4\n');
    const b = write('b.log', 'loss=1\n');
    const res = await ingestPaths(store, [a, b], opts);
    expect(res.map((r) => [r.run.name, r.run.points, r.created, r.from])).toEqual([
      ['a.log#0', 3, true, a],
      ['a.log#1', 2, true, a],
      ['b.log#0', 1, true, b],
    ]);
    expect(res[0]!.run.source.fileName).toBe('a.log');
    expect(res[0]!.run.source.contentHash).toMatch(/^[0-9a-f]{64}#0$/);
    expect(res[2]!.run.source.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stores nothing when one of the paths fails, and names the bad file', async () => {
    const good = write('good.log', 'loss=1,2\n');
    const bad = write('bad.log', 'bad\n');
    const err = await ingestPaths(store, [good, bad], opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).message).toBe(`${bad}:1: expected loss=`);
    expect(await store.listRuns()).toEqual([]);
    await expect(ingestPaths(store, [good, path.join(dir, 'missing.log')], opts)).rejects.toThrow(/missing\.log: no such file/);
    expect(await store.listRuns()).toEqual([]);
  });

  it('returns the existing runs when the same content is ingested again, even from another path', async () => {
    const a = write('a.log', 'loss=3,2,1\n');
    const copy = write('sub/copy.log', 'loss=3,2,1\n');
    const [first] = await ingestPaths(store, [a], opts);
    const [again] = await ingestPaths(store, [copy], opts);
    expect(again!.created).toBe(false);
    expect(again!.run.id).toBe(first!.run.id);
    expect(await store.listRuns()).toHaveLength(1);
  });

  it('walks a directory into relative, sorted entries and hashes the tree', async () => {
    write('tree/z.log', 'loss=1\n');
    write('tree/sub/a.log', 'loss=2\n');
    const res = await ingestPaths(store, [path.join(dir, 'tree')], opts);
    expect(fakeParser.entriesSeen).toEqual([['sub/a.log', 'z.log']]);
    expect(res.map((r) => r.run.name)).toEqual(['a.log#0', 'z.log#0']);
    expect(res[0]!.run.source.fileName).toBe('tree');
  });

  it('names runs with --name (N, or N-1, N-2 … for several)', async () => {
    const one = write('one.log', 'loss=1\n');
    const two = write('two.log', 'loss=1\nloss=2\n');
    expect((await ingestPaths(store, [one], { ...opts, name: 'baseline' })).map((r) => r.run.name)).toEqual(['baseline']);
    expect((await ingestPaths(store, [two], { ...opts, name: 'sweep' })).map((r) => r.run.name)).toEqual(['sweep-1', 'sweep-2']);
  });

  it('refuses files over the size limit, empty directories and no paths', async () => {
    const big = write('big.log', `loss=${'1,'.repeat(100)}1\n`);
    await expect(ingestPaths(store, [big], { ...opts, maxBytes: 50 })).rejects.toThrow(/big\.log: file is 0\.0 MiB, over the limit/);
    mkdirSync(path.join(dir, 'empty'));
    await expect(ingestPaths(store, [path.join(dir, 'empty')], opts)).rejects.toThrow(/empty directory/);
    await expect(ingestPaths(store, [], opts)).rejects.toBeInstanceOf(IngestError);
  });
});

describe('ingestBytes', () => {
  it('parses an upload and stores it under the upload name', async () => {
    const res = await ingestBytes(store, new TextEncoder().encode('loss=4,3\n'), 'upload.log', opts);
    expect(res[0]!.run).toMatchObject({ name: 'upload.log#0', points: 2, source: { fileName: 'upload.log' } });
    await expect(ingestBytes(store, new Uint8Array(10), 'x.log', { ...opts, maxBytes: 5 })).rejects.toBeInstanceOf(IngestError);
  });
});

describe('showRun', () => {
  it('summarises each series with first/last/min/max and non-finite counts', async () => {
    const [saved] = await store.saveRuns([
      { log: runLog('s', [series('loss', [NaN, 3, 1, Infinity, 2], { steps: [0, 10, 20, 30, 40], epochs: [0, 1, 2, 3, 4] })]), source: { format: 'keras_csv', fileName: 'f', contentHash: 'h' } },
    ]);
    const o = await showRun(store, saved!.run.id);
    expect(o.series[0]).toMatchObject({
      name: 'loss',
      points: 5,
      nonFinite: { nan: 1, posInf: 1, negInf: 0 },
      last: { step: 40, epoch: 4, value: 2 },
      min: { step: 20, epoch: 2, value: 1 },
      max: { step: 10, epoch: 1, value: 3 },
    });
    expect(Number.isNaN(o.series[0]!.first!.value)).toBe(true);
    await expect(showRun(store, 'nothing')).rejects.toBeInstanceOf(RunNotFoundError);
  });
});

describe('ingestPaths with the real parsers', () => {
  it('reads a zip of the bundled examples into one run per log, with the points of the files themselves', async () => {
    const { zipSync } = await import('fflate');
    const { readdirSync, readFileSync } = await import('node:fs');
    const { REPO_ROOT } = await import('../support/real-logs.ts');
    const examples = path.join(REPO_ROOT, 'examples');
    const logs = readdirSync(examples).filter((f) => /\.(csv|json)$/.test(f));
    const zipPath = write('examples.zip', '');
    writeFileSync(zipPath, zipSync(Object.fromEntries(logs.map((f) => [`examples/${f}`, readFileSync(path.join(examples, f))]))));
    const fromZip = await ingestPaths(store, [zipPath]);
    expect(fromZip.map((r) => r.run.source.format).sort()).toEqual(['hf_trainer_state', 'keras_csv', 'keras_history', 'lightning_csv']);
    expect(fromZip.every((r) => r.created && r.run.source.fileName === 'examples.zip')).toBe(true);
    const fromFiles = await ingestPaths(store, logs.map((f) => path.join(examples, f)));
    // Different bytes (the zip vs each file), so new runs; the same points.
    expect(fromFiles.map((r) => r.run.points).sort()).toEqual(fromZip.map((r) => r.run.points).sort());
  });
});
