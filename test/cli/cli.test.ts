import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/real-logs.ts';
import { runCli, type CliResult } from '../support/run-cli.ts';
import { ensureBuilt } from '../support/built.ts';

// These tests start the compiled runmedic as a process: build it first if a source changed (test/support/built.ts).
beforeAll(() => ensureBuilt(), 600_000);

type Result = CliResult;

let dir: string;
let db: string;

/** Runs the real CLI as a process, the way a user does. */
const cli = (args: string[], env: Record<string, string> = {}): Promise<Result> => runCli(args, { cwd: dir, env: { RUNMEDIC_DB: db, ...env }, timeoutMs: 150_000 });

const example = (name: string) => path.join(REPO_ROOT, 'examples', name);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-cli-'));
  db = path.join(dir, 'test.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each case starts real processes (tsx compiles on start-up): generous timeouts for a busy machine.
describe('runmedic CLI (as a process)', { timeout: 180_000 }, () => {
  let healthyId = '';

  it('ingest prints one line per run, id first', async () => {
    const r = await cli(['ingest', example('keras-healthy.csv'), example('keras-not-converged-history.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^r_[a-z2-7]{10}\s+\S+\s+keras_\w+\s+\d+\s+\d+\s+new\s/);
    healthyId = lines[0]!.split(/\s+/)[0]!;
    expect(lines[0]).toContain('keras-healthy');
  });

  it('ingest of the same content again says so and keeps the id; --json gives the shape', async () => {
    const r = await cli(['ingest', '--json', example('keras-healthy.csv')]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(out).toEqual([
      expect.objectContaining({ id: healthyId, created: false, name: 'keras-healthy', format: 'keras_csv', points: 150, epochs: 30 }),
    ]);
  });

  it('bad input: exit 2 with the file and what was expected, no stack trace, nothing stored', async () => {
    const empty = path.join(dir, 'empty.csv');
    writeFileSync(empty, '');
    const binary = path.join(dir, 'garbage.bin');
    writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 1, 2, 3, 255, 0, 7]));
    const r = await cli(['ingest', example('lightning-diverging-metrics.csv'), empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^runmedic: ${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: empty file`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    const b = await cli(['ingest', binary]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('garbage.bin');
    // The next test lists the runs: still only the two stored before.
  });

  it('usage errors, unknown runs and bad configuration: exit 2 with a message', async () => {
    const [unknown, badOpt, noCmd, badEnv] = await Promise.all([
      cli(['show', 'no-such-run']),
      cli(['runs', '--frobnicate']),
      cli(['explode']),
      cli(['runs'], { HTTP_PORT: 'eighty' }),
    ]);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toBe('runmedic: no run with id or name "no-such-run"\n');
    expect(badOpt.code).toBe(2);
    expect(badOpt.stderr).toMatch(/--frobnicate/);
    expect(badOpt.stderr).toContain('usage: runmedic runs');
    expect(noCmd.code).toBe(2);
    expect(noCmd.stderr).toContain('unknown command "explode"');
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('HTTP_PORT: expected a TCP port');
  });

  it('runs lists newest first, as a table and as JSON', async () => {
    const table = await cli(['runs']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+FORMAT\s+POINTS\s+EPOCHS\s+STATUS\s+CREATED/);
    expect(lines).toHaveLength(3);
    const json = await cli(['runs', '--json']);
    const runs = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(runs.map((x) => x.name)).toEqual(['keras-not-converged-history', 'keras-healthy']);
    expect(Object.keys(runs[0]!).sort()).toEqual(['createdAt', 'epochs', 'fileName', 'firstEpoch', 'format', 'id', 'name', 'points', 'status', 'updatedAt']);
  });

  it('show gives every series with counts and first/last/min/max, by id or by name', async () => {
    const byName = await cli(['show', 'keras-healthy', '--json']);
    expect(byName.code).toBe(0);
    const o = JSON.parse(byName.stdout) as { run: Record<string, unknown>; series: Array<Record<string, any>> };
    expect(o.run).toMatchObject({ id: healthyId, name: 'keras-healthy', format: 'keras_csv', points: 150, epochs: 30 });
    const valLoss = o.series.find((s) => s.name === 'val_loss')!;
    expect(valLoss).toMatchObject({ key: 'loss', split: 'val', direction: 'lower', points: 30, nonFinite: { nan: 0, posInf: 0, negInf: 0 } });
    expect(valLoss.first).toEqual({ step: 0, epoch: 0, value: 2.081884 });
    expect(valLoss.last).toEqual({ step: 29, epoch: 29, value: 0.239929 });
    expect(valLoss.min.value).toBeLessThanOrEqual(valLoss.last.value);
    expect(o.series.map((s) => `${s.key}/${s.split}`).sort()).toEqual(['accuracy/train', 'accuracy/val', 'loss/train', 'loss/val', 'lr/train']);

    const text = await cli(['show', healthyId]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('keras-healthy');
    expect(text.stdout).toMatch(/val_loss\s+val\s+loss\s+30\s+2\.082 @0\s+0\.2399 @29/);
  });

  it('--db overrides RUNMEDIC_DB', async () => {
    const other = path.join(dir, 'other.db');
    const r = await cli(['runs', '--json', '--db', other]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('--help lists the commands; demo ingests the bundled examples and lists them (its training step: demo.test.ts)', async () => {
    const demoDb = path.join(dir, 'demo.db');
    const [help, demo] = await Promise.all([cli(['--help']), cli(['demo', '--no-train', '--db', demoDb])]);
    expect(help.code).toBe(0);
    for (const c of ['ingest', 'runs', 'show', 'demo']) expect(help.stdout).toMatch(new RegExp(`^  ${c}\\s`, 'm'));
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('== Ingest the bundled example logs ==');
    for (const name of ['keras-healthy', 'hf-overfitting-trainer_state', 'lightning-diverging-metrics', 'keras-not-converged-history']) {
      expect(demo.stdout).toContain(name);
    }
    expect(demo.stdout).toContain('== Runs in the database ==');
    expect(demo.stdout).not.toContain('planted fault');
  });
});
