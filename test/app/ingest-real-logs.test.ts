import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ingestPaths } from '../../src/app/ingest-files.ts';
import { parseEntries, parseFile } from '../../src/ingest/index.ts';
import type { FileEntry } from '../../src/ingest/entries.ts';
import { openDatabase } from '../../src/store/database.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { REAL_LOGS_DIR } from '../support/real-logs.ts';
import { columns } from '../support/run-log-fixtures.ts';

/** Every real log through the whole edge: read from disk, parsed, stored in one transaction, loaded back unchanged. */
describe.skipIf(!REAL_LOGS_DIR)('ingest of the shared real logs', () => {
  const dir = REAL_LOGS_DIR!;
  const files = () =>
    readFileSync(path.join(dir, 'labels.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => path.join(dir, line.split('\t')[0]!));

  it('stores every run of every log and loads each back exactly as parsed', async () => {
    const logFiles = files();
    expect(logFiles.length).toBeGreaterThanOrEqual(28);
    const tfevents = readdirSync(path.join(dir, 'tfevents'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(dir, 'tfevents', d.name));
    const db = openDatabase(':memory:');
    const store = new SqliteRunStore(db);
    try {
      const ingested = await ingestPaths(store, [...logFiles, ...tfevents]);
      const expected = [
        ...logFiles.flatMap((f) => parseFile(readFileSync(f), f)),
        ...tfevents.flatMap((d) => parseEntries(walk(d), path.basename(d))),
      ];
      expect(ingested).toHaveLength(expected.length);
      expect(new Set(ingested.map((r) => r.run.id)).size).toBe(expected.length);
      for (const [i, r] of ingested.entries()) {
        const run = (await store.getRun(r.run.id))!;
        const want = expected[i]!;
        expect(run.name).toBe(want.name);
        expect(run.source.format).toBe(want.format);
        expect(run.notes).toEqual(want.notes);
        expect(run.series.map((s) => [s.key, s.split, s.name, s.direction, s.cadence])).toEqual(
          want.series.map((s) => [s.key, s.split, s.name, s.direction, s.cadence]),
        );
        for (const [k, s] of run.series.entries()) expect(columns(s), `${run.name} ${s.name}`).toEqual(columns(want.series[k]!));
      }
      const again = await ingestPaths(store, [...logFiles, ...tfevents]);
      expect(again.every((r) => !r.created)).toBe(true);
      expect(again.map((r) => r.run.id)).toEqual(ingested.map((r) => r.run.id));
    } finally {
      db.close();
    }
  });
});

function walk(root: string, rel = ''): FileEntry[] {
  return readdirSync(path.join(root, rel), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((d) => {
      const p = rel ? `${rel}/${d.name}` : d.name;
      return d.isDirectory() ? walk(root, p) : [{ path: p, bytes: readFileSync(path.join(root, p)) }];
    });
}
