import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/real-logs.ts';
import { pngSize } from '../charts/png.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { DEMO_JOB } from '../../src/cli/demo-training.ts';
import type { Verdict } from '../../src/domain/verdict.ts';
import { builtBin, ensureBuilt } from '../support/built.ts';

// These tests start the compiled runmedic as a process: build it first if a source changed (test/support/built.ts).
beforeAll(() => ensureBuilt(), 600_000);

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-demo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One real `runmedic demo` process, the way the README's first command runs it: it ingests the examples, then trains
// a job in its own child process (about 15 s on tensorflow, 30–40 s on wasm on a loaded 2-core machine).
describe('runmedic demo (as a process)', { timeout: 240_000 }, () => {
  it('trains mnist-mlp with label noise, stores the run, finds label_noise, and writes the report, verdict and chart', async () => {
    const db = path.join(dir, 'demo.db');
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [builtBin(), 'demo'],
        { cwd: dir, env: { ...process.env, RUNMEDIC_DB: db, LOG_LEVEL: '' }, timeout: 220_000, maxBuffer: 8 << 20 },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    const tail = `stdout ends:\n${r.stdout.slice(-3000)}\nstderr:\n${r.stderr.slice(-3000)}`;
    expect(r.stderr, tail).toBe(`database: ${db}\n`);
    expect(r.code, tail).toBe(0);

    // The examples still come first, then the training section says what was trained, the fault and the backend.
    expect(r.stdout).toContain('== Ingest the bundled example logs ==');
    // The labelled lines wrap under a 10-space hanging indent: unwrapped here.
    const training = r.stdout.slice(r.stdout.indexOf('== Train a small network with a planted fault')).replace(/\n {10}(?=\S)/g, ' ');
    expect(training).toMatch(/^What: +mnist-mlp, .*2,000 MNIST digits, 8 epochs/m);
    expect(training).toMatch(/^Fault: +label-noise=0\.4: 40 % of the training labels are swapped/m);
    expect(training).toMatch(/^Job: +a child process, started when the demo began/m);
    const backend = /^Backend: +(tensorflow|wasm|cpu)\b/m.exec(training)?.[1];
    expect(backend).toBeDefined();
    expect(training).toMatch(/^Data: +1,600 training, 400 validation examples; fault label-noise: 640 of 1600 training labels/m);
    expect(training.match(/^ {2}\S+ +\d+% +epoch \d\/8 /gm)).toHaveLength(8);
    // The symptom the demo promises: the model cannot fit the wrong labels, so clean validation scores higher.
    const [, trainAcc, valAcc] = /^Symptom: +after 8 epochs training accuracy is ([\d.]+) and validation accuracy ([\d.]+)/m.exec(training) ?? [];
    expect(Number(trainAcc)).toBeLessThan(Number(valAcc));
    expect(training).toMatch(/^Caught: +✅ the checklist's Noisy labels item \(label_noise\) (fails|warns): [\d.]+ % of labels look wrong/m);

    const files = Object.fromEntries(['md', 'json', 'png'].map((ext) => [ext, path.join(dir, 'runmedic-charts', `${DEMO_JOB.fileBase}.${ext}`)]));
    for (const f of Object.values(files)) expect(training).toContain(path.relative(dir, f));

    // The verdict the demo wrote: the fault's item fails, and it names the stored run.
    const verdict = JSON.parse(readFileSync(files.json!, 'utf8')) as Verdict;
    expect(verdict.items.find((i) => i.id === 'label_noise')).toMatchObject({ status: 'fail', area: 'data' });
    expect(verdict.run.name).toBe('mnist-mlp epochs=8 label-noise=0.4');

    // The trained run is in the database, finished, with the job's step-level and epoch-level series.
    const store = SqliteRunStore.open(db);
    try {
      const run = (await store.getRun(verdict.run.id))!;
      expect(run).toMatchObject({ name: 'mnist-mlp epochs=8 label-noise=0.4', status: 'finished', epochs: 8, source: expect.objectContaining({ format: 'tfjs_job' }) });
      const names = run.series.map((s) => s.name);
      for (const s of ['batch_loss', 'loss', 'accuracy', 'val_loss', 'val_accuracy']) expect(names).toContain(s);
      expect(run.series.find((s) => s.name === 'val_accuracy')!.values.length).toBe(8);
      expect((await store.listRuns({ limit: 20 })).length).toBe(5); // the 4 examples and the trained run
    } finally {
      await store.close();
    }

    // The runs are listed after the training, so its run shows as it ended, not as `running` with no points.
    const listed = r.stdout.slice(r.stdout.indexOf('== Runs in the database =='));
    expect(r.stdout.indexOf('== Runs in the database ==')).toBeGreaterThan(r.stdout.indexOf('== Train a small network'));
    expect(listed).toMatch(new RegExp(`^${verdict.run.id} +mnist-mlp epochs=8 label-noise=0\\.4 +tfjs_job +[1-9]\\d* +8 +finished `, 'm'));
    // Each printed checklist names its not-checkable items on one line (the report and --json keep them all).
    for (const block of r.stdout.split(/\n\n/)) expect(block.split('\n').filter((l) => l.startsWith('❔')).length).toBeLessThanOrEqual(1);
    expect(r.stdout).toMatch(/^❔ \d+ not checkable here: .*\(`--all` lists them with what each needs\)$/m);

    const report = readFileSync(files.md!, 'utf8');
    expect(report).toContain(`\`${verdict.run.id}\``);
    expect(report).toContain(`**Backend:** ${backend}`);
    expect(report).toMatch(/Did runmedic find the fault\?\*\* yes: `label_noise` is \*\*fail\*\*/);
    expect(report).toContain(`](${DEMO_JOB.fileBase}.png)`);
    expect(report).toMatch(/```text\n❌ mnist-mlp epochs=8 label-noise=0\.4 /);

    // The job was recorded with what it measured: diagnosing the stored run later repeats the demo's finding.
    const again = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [builtBin(), 'diagnose', verdict.run.id, '--json'], { cwd: dir, env: { ...process.env, RUNMEDIC_DB: db, LOG_LEVEL: '' }, timeout: 60_000 }, (error, stdout) =>
        error && !stdout ? reject(error) : resolve(stdout),
      );
    });
    expect((JSON.parse(again) as Verdict).items.find((i) => i.id === 'label_noise')).toMatchObject({ status: 'fail' });
    expect(training).toContain(`\`npx runmedic diagnose ${verdict.run.id}\` gives the same checklist`);

    const png = readFileSync(files.png!);
    expect(pngSize(png)).toEqual({ width: 800, height: 450 });
    // A drawn chart (curves, axes, text) compresses to tens of KB; a blank or failed render to a few.
    expect(statSync(files.png!).size).toBeGreaterThan(20_000);
  });
});
