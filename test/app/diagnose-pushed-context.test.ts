/**
 * A pushed run's declared context (config, classes, POST /dataset) is used by every face: the API's verdict, and
 * `runmedic diagnose <run> --json` / `runmedic chart` / the reporter behind /diagnose later, so they all agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiHarness } from '../http/api-harness.ts';
import { openDatabase } from '../../src/store/database.ts';
import { SqlitePushStore } from '../../src/store/sqlite-push-store.ts';
import { RunReporter } from '../../src/app/run-report.ts';
import { storedRunContexts } from '../../src/app/diagnose-run.ts';
import type { Verdict } from '../../src/domain/verdict.ts';
import { ensureBuilt } from '../support/built.ts';

// These tests start the compiled runmedic as a process: build it first if a source changed (test/support/built.ts).
beforeAll(() => ensureBuilt(), 600_000);

const cli = (args: string[], dbPath: string) => runCli([...args, '--db', dbPath]);

/** Items as comparable text: id, status and evidence (what a CI gate or a person reads). */
const itemsOf = (v: Verdict) => v.items.map((i) => ({ id: i.id, status: i.status, evidence: i.evidence }));

describe('a pushed run: API verdict = runmedic diagnose = /diagnose', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-pushctx-'));
  const dbPath = path.join(dir, 'db.sqlite');
  let h: ApiHarness;
  let runId = '';
  let apiVerdict: Verdict;

  beforeAll(async () => {
    h = await ApiHarness.start({ db: openDatabase(dbPath) });
    const token = await h.token('111111');
    const created = await h.call('POST', '/api/v1/runs', token, { name: 'ctx-check', classes: 10, config: { learningRate: 0.1, batchSize: 32 } });
    expect(created.status).toBe(201);
    runId = created.body.id;
    // Diverging from a first loss far from ln(10) ≈ 2.30, accuracy at chance for 10 classes.
    const points = Array.from({ length: 12 }, (_, e) => ({ step: e, epoch: e, metrics: { loss: 0.5 * 1.6 ** e, accuracy: 0.1, val_loss: 0.6 * 1.6 ** e, val_accuracy: 0.1 } }));
    expect((await h.call('POST', `/api/v1/runs/${runId}/metrics`, token, { points })).status).toBe(200);
    const ds = await h.call('POST', `/api/v1/runs/${runId}/dataset`, token, { classCounts: { a: 900, b: 20 }, trainSize: 920, valSize: 100, trainValOverlap: 15 });
    expect(ds.status).toBe(200);
    const got = await h.call('GET', `/api/v1/runs/${runId}/verdict`, token);
    expect(got.status).toBe(200);
    apiVerdict = got.body;
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the API verdict uses the declared context', () => {
    const item = (id: string) => apiVerdict.items.find((i) => i.id === id)!;
    expect(item('bad_initial_loss').status).not.toBe('unknown');
    expect(item('stuck_at_chance').evidence).toMatchObject({ classesKnown: true });
    expect(item('leakage').status).toMatch(/fail|warn/);
  });

  it('runmedic diagnose <id> --json, as a process, gives the same items and evidence', async () => {
    const diag = await cli(['diagnose', runId, '--json'], dbPath);
    expect(diag.stderr).toBe('');
    const later = JSON.parse(diag.stdout) as Verdict;
    expect(later.status).toBe(apiVerdict.status);
    expect(itemsOf(later)).toEqual(itemsOf(apiVerdict));
  }, 120_000);

  it('runmedic chart draws it (same source)', async () => {
    const out = path.join(dir, 'c.png');
    const r = await cli(['chart', runId, '-o', out], dbPath);
    expect(r.stderr).toBe('');
    expect(existsSync(out)).toBe(true);
  }, 120_000);

  it('the reporter behind /diagnose gives the same items', async () => {
    const reporter = new RunReporter(h.runs, { cacheSize: 0, contexts: storedRunContexts({ pushed: new SqlitePushStore(h.db) }) });
    const report = await reporter.report(runId);
    expect(itemsOf(report.verdict)).toEqual(itemsOf(apiVerdict));
  });

  it('without the pushed context the CLI could not have known (the check above can fail)', async () => {
    const reporter = new RunReporter(h.runs, { cacheSize: 0 });
    const report = await reporter.report(runId);
    expect(itemsOf(report.verdict)).not.toEqual(itemsOf(apiVerdict));
  });

  it('new dataset statistics make a new run version, so a cached /diagnose report does not serve the old verdict', async () => {
    const reporter = new RunReporter(h.runs, { contexts: storedRunContexts({ pushed: new SqlitePushStore(h.db) }) });
    const before = await reporter.report(runId);
    expect(before.verdict.items.find((i) => i.id === 'leakage')!.status).toMatch(/fail|warn/);
    const token = await h.token('111111');
    const ds = await h.call('POST', `/api/v1/runs/${runId}/dataset`, token, { classCounts: { a: 460, b: 460 }, trainSize: 920, valSize: 100, trainValOverlap: 0 });
    expect(ds.status).toBe(200);
    const after = await reporter.report(runId);
    expect(after.verdict.items.find((i) => i.id === 'leakage')!.status).toBe('pass');
  });
});
