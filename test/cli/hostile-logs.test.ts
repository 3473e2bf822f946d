/**
 * Issue 17 through the real `runmedic` process: inputs an outside probe used against the CLI. Each case failed before
 * its fix (a native abort with exit 134, raw terminal escapes, 30,000 one-point runs, a bounded-by-nothing inflation,
 * a TensorBoard error naming only the base name).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, type CliResult } from '../support/run-cli.ts';
import { pngSize } from '../charts/png.ts';

let dir: string;
const db = () => path.join(dir, 'hostile.db');
const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { cwd: dir, env: { RUNMEDIC_DB: db(), ...env } });

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The reproduction: 30 epochs, a first loss of 11700.3, one -1e308 at epoch 15. */
function hugeNegativeLossCsv(): string {
  const file = path.join(dir, 'p.csv');
  const rows = Array.from({ length: 30 }, (_, k) => `${k},${k === 0 ? 11700.3 : k === 15 ? '-1e+308' : 1 / (k + 1)}`);
  writeFileSync(file, `epoch,loss\n${rows.join('\n')}\n`);
  return file;
}

describe('a value resvg cannot draw (issue 17, point 1)', { timeout: 120_000 }, () => {
  it('runmedic chart draws it, the value marked off scale, instead of aborting the process', async () => {
    const out = path.join(dir, 'x.png');
    const r = await cli(['chart', hugeNegativeLossCsv(), '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(out);
    expect(pngSize(readFileSync(out))).toEqual({ width: 800, height: 450 });
  });

  it('diagnose --chart prints the checklist and writes the chart', async () => {
    const out = path.join(dir, 'd.png');
    const r = await cli(['diagnose', hugeNegativeLossCsv(), '--chart', out]);
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toMatch(/keras_csv, 30 points/);
    expect(r.stderr).toContain(`chart: ${out}`);
    expect(pngSize(readFileSync(out))).toEqual({ width: 800, height: 450 });
  });

  it('chart of the stored run draws it too', async () => {
    const ing = await cli(['ingest', hugeNegativeLossCsv()]);
    expect(ing.code).toBe(0);
    const id = ing.stdout.trim().split(/\s+/)[0]!;
    const out = path.join(dir, 'stored.png');
    const r = await cli(['chart', id, '-o', out]);
    expect(r.code).toBe(0);
    expect(pngSize(readFileSync(out))).toEqual({ width: 800, height: 450 });
  });
});
