/**
 * A Lightning CSV whose logged epochs start at 24 (a resumed run; the file's first epoch rows are gone), through the
 * CLI as a process: every line that prints the run's epochs says "epochs 24–55", the 32 epochs the log holds, never a
 * count from 0 ("55 epochs" before; "1999 epochs" for the real log 027 that starts at 24 and ends at 1999).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/real-logs.ts';
import { ensureBuilt } from '../support/built.ts';
import { runCli } from '../support/run-cli.ts';

beforeAll(() => ensureBuilt(), 600_000);

const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-epoch-range-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'epochs', 'lightning_resumed_at_24.csv');
const db = ['--db', path.join(dir, 'runs.db')];

describe('a log numbered from epoch 24, as a process', { timeout: 120_000 }, () => {
  it('diagnose: the header says the range, --json the count of epochs logged and where they start', async () => {
    const text = await runCli(['diagnose', fixture, ...db], { cwd: dir });
    expect(text.stderr).toBe('');
    const head = text.stdout.split('\n')[0]!;
    expect(head).toContain('(lightning_csv, 96 points, epochs 24–55)');
    expect(head).not.toMatch(/\b55 epochs\b/);

    const json = await runCli(['diagnose', fixture, '--json', ...db], { cwd: dir });
    const v = JSON.parse(json.stdout) as { run: { epochs: number; firstEpoch: number } };
    expect(v.run).toMatchObject({ epochs: 32, firstEpoch: 24 });
  });

  it('ingest, runs, show and diagnose of the stored run say the same range', async () => {
    const ingested = await runCli(['ingest', fixture, ...db], { cwd: dir });
    expect(ingested.code).toBe(0);
    expect(ingested.stdout).toMatch(/lightning_resumed_at_24\s+lightning_csv\s+96\s+24–55\s/);
    const id = ingested.stdout.split(' ')[0]!;

    const runs = await runCli(['runs', ...db], { cwd: dir });
    expect(runs.stdout).toMatch(new RegExp(`${id}\\s+lightning_resumed_at_24\\s+lightning_csv\\s+96\\s+24–55\\s`));
    const runsJson = JSON.parse((await runCli(['runs', '--json', ...db], { cwd: dir })).stdout) as { epochs: number; firstEpoch: number }[];
    expect(runsJson[0]).toMatchObject({ epochs: 32, firstEpoch: 24 });

    expect((await runCli(['show', id, ...db], { cwd: dir })).stdout).toContain('· 96 points · epochs 24–55 ·');
    expect((await runCli(['diagnose', id, ...db], { cwd: dir })).stdout.split('\n')[0]).toContain('(lightning_csv, 96 points, epochs 24–55)');
  });
});
