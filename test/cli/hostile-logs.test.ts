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
import { openDatabase } from '../../src/store/database.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { kerasHistoryParser } from '../../src/ingest/keras-history.ts';
import { kerasHistoryJson } from '../support/training-logs.ts';
import { zipSync } from 'fflate';
import { mkdirSync } from 'node:fs';
import { eventFile, simpleScalar } from '../support/tfevents-writer.ts';

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

/** ESC, BEL, NUL, CSI (C1), a right-to-left override: what a terminal acts on instead of showing. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const EVIL = 'evil\u001b[31mred\u001b]0;pwned\u0007\u0000\u009b2J\u202egpj.exe';

describe('control characters in names (issue 17, point 4)', { timeout: 120_000 }, () => {
  let id: string;
  beforeAll(async () => {
    // A name stored before names were checked (or by another tool writing the database): the CLI must still print it safely.
    const db2 = openDatabase(db());
    const store = new SqliteRunStore(db2);
    const [log] = kerasHistoryParser.parse(kerasHistoryJson({ epochs: 12 }), 'x.json');
    const [saved] = await store.saveRuns([{ log: { ...log!, name: EVIL }, source: { format: log!.format, fileName: `${EVIL}.json`, contentHash: 'evil-name' } }]);
    id = saved!.run.id;
    await store.close();
    db2.close();
  });

  it('runs, show and diagnose escape them; --json still parses back to the stored name', async () => {
    for (const args of [['runs'], ['show', id], ['diagnose', id], ['runs', '--json']]) {
      const r = await cli(args);
      expect(r.code === 0 || (args[0] === 'diagnose' && r.code === 1), `${args.join(' ')}: ${r.stderr}`).toBe(true);
      expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
      if (args[0] === 'runs' && !args.includes('--json')) expect(r.stdout).toContain('evil\\u001b[31mred');
      if (args.includes('--json')) expect(JSON.parse(r.stdout).find((x: { id: string }) => x.id === id).name).toBe(EVIL);
    }
  });

  it('a run named after a file with control characters is stored without them, and the ingest line escapes the path', async () => {
    const file = path.join(dir, 'bad\u001b[2Jname\u0007.csv');
    writeFileSync(file, `epoch,loss\n${Array.from({ length: 12 }, (_, k) => `${k},${1 / (k + 1)}`).join('\n')}\n`);
    const r = await cli(['ingest', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('bad[2Jname');
    expect(r.stdout).toContain('bad\\u001b[2Jname\\u0007.csv');
  });
});

describe('runs per file (issue 17, point 5)', { timeout: 120_000 }, () => {
  it('a CSV whose epoch goes back on every row is a malformed epoch column, refused with file and line, nothing stored', async () => {
    // The probe's file: 30,000 rows, ~290 KB, became 30,000 one-point runs (20 MB of database) in 1.7 s.
    const file = path.join(dir, 'restarts.csv');
    writeFileSync(file, `epoch,loss\n${Array.from({ length: 30_000 }, (_, i) => `${30_000 - i},${(1 + (i % 7) / 10).toFixed(4)}`).join('\n')}\n`);
    const r = await cli(['ingest', file], { RUNMEDIC_DB: path.join(dir, 'restarts.db') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:3: column 'epoch' goes back 29999 times`);
    expect(r.stderr).toContain('a malformed epoch column, not appended runs');
    const runs = await cli(['runs', '--json'], { RUNMEDIC_DB: path.join(dir, 'restarts.db') });
    expect(runs.stdout.trim() === '' || JSON.parse(runs.stdout).length === 0).toBe(true);
  });

  it('runs appended properly are still capped per file by INGEST_MAX_RUNS_PER_FILE, with a clear error', async () => {
    const file = path.join(dir, 'appended.csv');
    const run = Array.from({ length: 5 }, (_, e) => `${e},${(1 / (e + 1)).toFixed(3)}`).join('\n');
    writeFileSync(file, `epoch,loss\n${Array.from({ length: 40 }, () => run).join('\n')}\n`);
    const refused = await cli(['ingest', file], { INGEST_MAX_RUNS_PER_FILE: '30', RUNMEDIC_DB: path.join(dir, 'appended.db') });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('40 runs in one file, over the limit of 30 runs per file (INGEST_MAX_RUNS_PER_FILE)');
    const taken = await cli(['ingest', file], { RUNMEDIC_DB: path.join(dir, 'appended.db') });
    expect(taken.code).toBe(0);
    expect(taken.stdout.trim().split('\n')).toHaveLength(40);
  });
});

describe('what a zip inflates to (issue 17, point 6)', { timeout: 120_000 }, () => {
  it('is bounded by INGEST_MAX_BYTES: a small zip of a large CSV is refused before inflating', async () => {
    // ~6 MiB of CSV squeezes to a few hundred KB: the file passes the size check, its contents must not.
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i},${(1 / (i + 1)).toFixed(6)},0.5`).join('\n');
    const zip = zipSync({ 'big/metrics.csv': new TextEncoder().encode(`epoch,loss,val_loss\n${rows}\n`) }, { level: 9 });
    const file = path.join(dir, 'bomb.zip');
    writeFileSync(file, zip);
    expect(zip.byteLength).toBeLessThan(1 << 20);
    const env = { INGEST_MAX_BYTES: String(1 << 20), RUNMEDIC_DB: path.join(dir, 'zip.db') };
    for (const args of [['ingest', file], ['diagnose', file]]) {
      const r = await cli(args, env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${file}: members inflate to more than 1.0 MiB in all (the INGEST_MAX_BYTES limit): refused before inflating`);
    }
    // Under a limit it fits, the same zip is read.
    expect((await cli(['ingest', file], { INGEST_MAX_BYTES: String(64 << 20), RUNMEDIC_DB: path.join(dir, 'zip.db') })).code).toBe(0);
  });
});

describe('TensorBoard errors (issue 17, point 7)', { timeout: 120_000 }, () => {
  it('name the path the user gave, not the base name', async () => {
    const events = eventFile(Array.from({ length: 5 }, (_, i) => ({ wallTime: 1000 + i, step: i, values: [simpleScalar('loss', 1 / (i + 1))] })), { wallTime: 999 });
    const second = 16 + new DataView(events.buffer, events.byteOffset).getUint32(0, true);
    events[second + 8]! ^= 0x10; // the length CRC of the second record: the framing is lost
    const sub = path.join(dir, 'tb', 'run-7', 'train');
    mkdirSync(sub, { recursive: true });
    const file = path.join(sub, 'events.out.tfevents.1700000000.host');
    writeFileSync(file, events);
    const r = await cli(['ingest', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^runmedic: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*bad length CRC`));
    const inDir = await cli(['ingest', path.join(dir, 'tb')]);
    expect(inDir.code).toBe(2);
    expect(inDir.stderr).toContain('tb/run-7/train/events.out.tfevents.1700000000.host');
  });
});
