import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REAL_LOGS_DIR, REPO_ROOT } from '../support/real-logs.ts';
import { runCli, type CliResult } from '../support/run-cli.ts';
import { pngSize } from '../charts/png.ts';
import { main } from '../../src/cli/main.ts';
import { ensureBuilt } from '../support/built.ts';

// These tests start the compiled runmedic as a process: build it first if a source changed (test/support/built.ts).
beforeAll(() => ensureBuilt(), 600_000);

type Result = CliResult;

let dir: string;

/** Runs the real CLI as a process, the way a user does. */
const cli = (args: string[]): Promise<Result> => runCli(args, { cwd: dir, env: { RUNMEDIC_DB: path.join(dir, 'test.db') } });

const example = (name: string) => path.join(REPO_ROOT, 'examples', name);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-chart-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same command line in this process: quick, for the cases that need no separate process. */
async function inProcess(args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { RUNMEDIC_DB: path.join(dir, 'test.db'), LOG_LEVEL: '' }, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

// Each process costs seconds (tsx start-up), so only the two faces a user types go through a real process.
describe('runmedic chart (as a process)', () => {
  it('draws a log file to the PNG named by -o, with --theme light and --scale 2, and prints its path', async () => {
    const out = path.join(dir, 'charts', 'light.png');
    const r = await cli(['chart', example('hf-overfitting-trainer_state.json'), '-o', out, '--theme', 'light', '--scale', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(out);
    expect(pngSize(readFileSync(out))).toEqual({ width: 1600, height: 900 });
  }, 90_000);

  it('diagnose --chart prints the checklist and also writes the chart', async () => {
    const out = path.join(dir, 'diag.png');
    const r = await cli(['diagnose', example('hf-overfitting-trainer_state.json'), '--chart', out]);
    expect(r.code).toBe(1); // the example overfits: something fails
    expect(r.stdout).toMatch(/overfitting/);
    expect(r.stderr).toContain(`chart: ${out}`);
    expect(pngSize(readFileSync(out))).toEqual({ width: 800, height: 450 });
  }, 90_000);
});

describe('runmedic chart (in process)', () => {
  it('draws a stored run by id', async () => {
    const ing = await inProcess(['ingest', example('lightning-diverging-metrics.csv')]);
    expect(ing.code).toBe(0);
    const id = ing.stdout.trim().split(/\s+/)[0]!;
    const out = path.join(dir, 'stored.png');
    const r = await inProcess(['chart', id, '-o', out]);
    expect(r.code).toBe(0);
    expect(pngSize(readFileSync(out))).toEqual({ width: 800, height: 450 });
  });

  it('exits 2 with a clear message for a missing -o, a bad theme or scale, or an unknown run', async () => {
    const noOut = await inProcess(['chart', example('keras-healthy.csv')]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/-o\/--out: expected the PNG file to write/);
    const badTheme = await inProcess(['chart', example('keras-healthy.csv'), '-o', path.join(dir, 'x.png'), '--theme', 'pink']);
    expect(badTheme.code).toBe(2);
    expect(badTheme.stderr).toMatch(/--theme: expected dark or light, got "pink"/);
    const badScale = await inProcess(['diagnose', example('keras-healthy.csv'), '--chart', path.join(dir, 'x.png'), '--scale', '9']);
    expect(badScale.code).toBe(2);
    expect(badScale.stderr).toMatch(/--scale: expected a number from 1 to 4, got "9"/);
    const unknown = await inProcess(['chart', 'no-such-run', '-o', path.join(dir, 'y.png')]);
    expect(unknown.code).toBe(2);
    expect(existsSync(path.join(dir, 'x.png'))).toBe(false);
    expect(existsSync(path.join(dir, 'y.png'))).toBe(false);
  });

  it.skipIf(!REAL_LOGS_DIR)('writes name-1.png, name-2.png … for a file holding several runs', async () => {
    const out = path.join(dir, 'appended.png');
    const r = await inProcess(['chart', path.join(REAL_LOGS_DIR!, '009_keras_csv.csv'), '-o', out]);
    expect(r.code).toBe(0);
    const files = r.stdout.trim().split('\n');
    expect(files.length).toBeGreaterThan(1);
    expect(files[0]).toBe(path.join(dir, 'appended-1.png'));
    for (const f of files) expect(pngSize(readFileSync(f)).width).toBe(800);
  });
});
