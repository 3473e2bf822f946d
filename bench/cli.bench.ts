/**
 * The CLI as people start it: whole processes, wall clock, start-up included.
 *   - `runmedic --help` (the compiled CLI, what `npx runmedic` runs), beside `node -e 0` (Node's own start-up);
 *   - `runmedic diagnose` of a 1,000,000-row Keras CSVLogger file (5 metric columns), beside a Python process that
 *     does `pandas.read_csv` of the same file (interpreter start, `import pandas`, the read), when python3 has pandas.
 * The two sides of each comparison are run alternately, so a busy shared machine slows both alike; the figure is the
 * median of RUNS (best beside it), with the CPU seconds (user + system, from GNU time when installed) beside the wall
 * clock: on a busy machine the CPU figures move less. Targets (issue 16, on the wall clock): --help ≤ 150 ms; diagnose
 * ≤ 1.0× pandas.
 * Builds first (`npm run build`, incremental): the bench measures the build the bin points at, never a stale one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: { runmedic: string } }).bin.runmedic);
const ROWS = 1_000_000;
const RUNS = 7;
const TARGET_HELP_MS = 150;
const TARGET_VS_PANDAS = 1.0;

/** The ingest bench's file: epoch, accuracy, loss, lr, val_accuracy, val_loss; deterministic noise. */
function kerasCsv(rows: number): string {
  let s = 12345;
  const noise = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.02;
  const parts: string[] = ['epoch,accuracy,loss,lr,val_accuracy,val_loss\n'];
  for (let e = 0; e < rows; e++) {
    const t = e / rows;
    const loss = 0.2 + 2 * Math.exp(-8 * t) + noise();
    parts.push(
      `${e},${(0.95 - 0.8 * Math.exp(-6 * t) + noise()).toFixed(6)},${loss.toFixed(6)},${(0.001 * (1 - 0.5 * t)).toExponential(4)},` +
        `${(0.93 - 0.8 * Math.exp(-6 * t) + noise()).toFixed(6)},${(loss + 0.05 + noise()).toFixed(6)}\n`,
    );
  }
  return parts.join('');
}

/** GNU time, when installed: the CPU seconds (user + system) of a process, which a busy shared machine disturbs less. */
const GNU_TIME = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%U', 'true'], { stdio: 'ignore' }).status === 0 ? '/usr/bin/time' : null;

/** Wall-clock (and, with GNU time, CPU) seconds of one process; throws when it exits with a code outside `okCodes`. */
function timed(cmd: string, args: string[], okCodes: number[] = [0]): { wall: number; cpu: number | null } {
  const cpuFile = path.join(os.tmpdir(), `runmedic-bench-time-${process.pid}`);
  const [file, argv] = GNU_TIME ? [GNU_TIME, ['-o', cpuFile, '-f', '%U %S', cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, LOG_LEVEL: '' } });
  const wall = (performance.now() - t0) / 1000;
  if (r.status === null || !okCodes.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr?.slice(0, 500)}`);
  const cpu = GNU_TIME ? readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1)!.split(' ').reduce((a, x) => a + Number(x), 0) : null;
  return { wall, cpu };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (s: number) => Math.round(s * 1000);
const round = (s: number) => Number(s.toFixed(3));

interface Timing {
  median: number;
  best: number;
  /** Median CPU seconds (user + system), null without GNU time. */
  cpu: number | null;
}

/** Runs the commands alternately RUNS times (after one warm-up each): median and best wall seconds, median CPU. */
function alternate(cmds: Array<{ cmd: string; args: string[]; okCodes?: number[] }>): Timing[] {
  for (const c of cmds) timed(c.cmd, c.args, c.okCodes);
  const times = cmds.map(() => [] as Array<{ wall: number; cpu: number | null }>);
  for (let r = 0; r < RUNS; r++) cmds.forEach((c, k) => times[k]!.push(timed(c.cmd, c.args, c.okCodes)));
  return times.map((t) => ({
    median: median(t.map((x) => x.wall)),
    best: Math.min(...t.map((x) => x.wall)),
    cpu: t[0]!.cpu === null ? null : median(t.map((x) => x.cpu!)),
  }));
}

function hasPandas(): boolean {
  return spawnSync('python3', ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;
}

export default async function cliBench(): Promise<Record<string, unknown>> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-cli-bench-'));
  try {
    const [help, node] = alternate([
      { cmd: process.execPath, args: [BIN, '--help'] },
      { cmd: process.execPath, args: ['-e', '0'] },
    ]);

    const csv = path.join(dir, 'big-keras.csv');
    writeFileSync(csv, kerasCsv(ROWS));
    const db = path.join(dir, 'bench.db');
    // diagnose exits 1 when an item fails (a CI gate): both 0 and 1 are a completed diagnosis.
    const runmedic = { cmd: process.execPath, args: [BIN, 'diagnose', csv, '--db', db], okCodes: [0, 1] };
    const pandasCmd = { cmd: 'python3', args: ['-c', `import sys, pandas as pd\ndf = pd.read_csv(sys.argv[1])\nassert len(df) == ${ROWS}`, csv] };
    const pandas = hasPandas();
    const [diag, pd] = pandas ? alternate([runmedic, pandasCmd]) : [alternate([runmedic])[0]!, null];
    const ratio = pd ? Number((diag!.median / pd.median).toFixed(2)) : null;
    return {
      help_process_ms: ms(help!.median),
      help_process_best_ms: ms(help!.best),
      help_process_cpu_ms: help!.cpu === null ? null : ms(help!.cpu),
      node_empty_process_ms: ms(node!.median),
      node_empty_process_cpu_ms: node!.cpu === null ? null : ms(node!.cpu),
      target_help_within_150ms: ms(help!.median) <= TARGET_HELP_MS,
      diagnose_1M_rows_process_s: round(diag!.median),
      diagnose_1M_rows_process_best_s: round(diag!.best),
      pandas_read_csv_process_s: pd ? round(pd.median) : 'pandas not installed (pip install pandas)',
      pandas_read_csv_process_best_s: pd ? round(pd.best) : null,
      diagnose_1M_rows_process_cpu_s: diag!.cpu === null ? null : round(diag!.cpu),
      pandas_read_csv_process_cpu_s: pd?.cpu == null ? null : round(pd.cpu),
      diagnose_vs_pandas_ratio: ratio,
      diagnose_vs_pandas_cpu_ratio: diag!.cpu !== null && pd?.cpu ? Number((diag!.cpu / pd.cpu).toFixed(2)) : null,
      target_diagnose_within_1x_pandas: ratio === null ? null : ratio <= TARGET_VS_PANDAS,
      load_average_1m: Number(os.loadavg()[0]!.toFixed(2)),
      note: `whole processes, wall clock, median (and best) of ${RUNS} alternating runs after a warm-up; runmedic = node ${path.relative(ROOT, BIN)} (the package's bin)`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
