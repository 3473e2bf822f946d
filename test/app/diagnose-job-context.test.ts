/**
 * A job-made run diagnosed later (`runmedic diagnose <run>`, /diagnose) gets the context its job measured (dataset
 * statistics, instrumentation) from the job store, so it keeps the data and architecture items of its final verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kerasHistoryJson } from '../support/training-logs.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { SqliteJobStore } from '../../src/store/sqlite-job-store.ts';
import { RunReporter } from '../../src/app/run-report.ts';
import { diagnoseTarget, jobContexts } from '../../src/app/diagnose-run.ts';
import { kerasHistoryParser } from '../../src/ingest/keras-history.ts';
import type { DiagnoseContext } from '../../src/domain/context.ts';
import type { Verdict } from '../../src/domain/verdict.ts';
import { ensureBuilt } from '../support/built.ts';

// These tests start the compiled runmedic as a process: build it first if a source changed (test/support/built.ts).
beforeAll(() => ensureBuilt(), 600_000);

const statusOf = (v: Verdict, id: string) => v.items.find((i) => i.id === id)?.status;

describe('diagnose of a stored run with its job context (in process)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-jobctx-'));
  let db: Database;
  let runs: SqliteRunStore;
  let jobs: SqliteJobStore;
  let runId = '';
  const context: DiagnoseContext = {
    classes: 3,
    dataset: { classCounts: { '0': 300, '1': 30, '2': 20 }, trainSize: 350, valSize: 90, duplicates: 0, trainValOverlap: 12, labelConflicts: 0 },
  };

  beforeAll(async () => {
    db = openDatabase(path.join(dir, 'db.sqlite'));
    runs = new SqliteRunStore(db);
    jobs = new SqliteJobStore(db);
    const [log] = kerasHistoryParser.parse(kerasHistoryJson({ epochs: 12 }), 'job.json');
    const [saved] = await runs.saveRuns([{ log: log!, source: { format: log!.format, fileName: 'job.json', contentHash: 'job-ctx-test' } }]);
    runId = saved!.run.id;
    await jobs.enqueue({ id: 'j1', config: { preset: 'blobs' } });
    await jobs.update('j1', { status: 'finished', runId, context });
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without the job store the data items cannot be checked; with it they are', async () => {
    const [plain] = await diagnoseTarget(runId, async () => runs);
    expect(statusOf(plain!.verdict, 'class_imbalance')).toBe('unknown');
    expect(statusOf(plain!.verdict, 'leakage')).toBe('unknown');

    const [withJob] = await diagnoseTarget(runId, async () => runs, { contexts: jobContexts(jobs) });
    expect(statusOf(withJob!.verdict, 'class_imbalance')).toMatch(/fail|warn/);
    expect(statusOf(withJob!.verdict, 'leakage')).toMatch(/fail|warn/);
    expect(withJob!.verdict.items.find((i) => i.id === 'leakage')!.evidence).toMatchObject({ overlap: 12 });
  });

  it('the reporter behind /diagnose uses the same source', async () => {
    const report = await new RunReporter(runs, { contexts: jobContexts(jobs), cacheSize: 0 }).report(runId);
    expect(statusOf(report.verdict, 'class_imbalance')).toMatch(/fail|warn/);
  });

  it('a file target never opens the job store', async () => {
    const file = path.join(dir, 'history.json');
    writeFileSync(file, kerasHistoryJson({ epochs: 8 }));
    const contexts = jobContexts(async () => {
      throw new Error('job store opened for a file');
    });
    const [r] = await diagnoseTarget(file, async () => runs, { contexts });
    expect(r!.from).toBe('file');
  });
});

const cli = (args: string[], dbPath: string) => runCli([...args, '--db', dbPath]);

describe('runmedic train, then runmedic diagnose <run> --json (processes)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-jobctx-cli-'));
  const dbPath = path.join(dir, 'db.sqlite');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gives the job's own verdict back, data items included", async () => {
    const train = await cli(['train', '--preset', 'blobs', '--epochs', '3', '--limit', '300', '--fault', 'class-imbalance=10', '--json'], dbPath);
    expect(train.stderr).toMatch(/trained 3 epochs/);
    const trained = JSON.parse(train.stdout) as Verdict;
    expect(statusOf(trained, 'class_imbalance')).toMatch(/fail|warn/);

    const diag = await cli(['diagnose', trained.run.id, '--json'], dbPath);
    expect(diag.stderr).toBe('');
    const later = JSON.parse(diag.stdout) as Verdict;
    const item = later.items.find((i) => i.id === 'class_imbalance')!;
    expect(item.status).toMatch(/fail|warn/);
    expect(item.evidence).toMatchObject({ majorityCount: expect.any(Number), minorityCount: expect.any(Number) });
    // Every item as the job itself judged it: the stored context round-trips through JSON intact.
    expect(later.items.map((i) => `${i.id}:${i.status}`)).toEqual(trained.items.map((i) => `${i.id}:${i.status}`));
  }, 120_000);
});
