/**
 * The CLI as people start it: whole processes, wall clock, start-up included.
 *   - `runmedic --help` (the compiled CLI, what `npx runmedic` runs), beside `node -e 0` (Node's own start-up);
 *   - `runmedic diagnose` of a 1,000,000-row Keras CSVLogger file (5 metric columns), beside a Python process that
 *     does `pandas.read_csv` of the same file (interpreter start, `import pandas`, the read), when python3 has pandas.
 * The two sides of each comparison are run alternately, so a busy shared machine slows both alike; the figure is the
 * median of RUNS (best beside it). Targets (issue 16): --help ≤ 150 ms; diagnose ≤ 1.0× pandas.
 * Builds first (`npm run build`, incremental): the bench measures the build the bin points at, never a stale one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Wall-clock seconds of one process; throws when it exits with a code outside `okCodes`. */
function timed(cmd: string, args: string[], okCodes: number[] = [0]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, LOG_LEVEL: '' } });
  const s = (performance.now() - t0) / 1000;
  if (r.status === null || !okCodes.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr?.slice(0, 500)}`);
  return s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (s: number) => Math.round(s * 1000);
const round = (s: number) => Number(s.toFixed(3));

/** Runs the commands alternately RUNS times (after one warm-up each): median and best seconds of each. */
function alternate(cmds: Array<{ cmd: string; args: string[]; okCodes?: number[] }>): Array<{ median: number; best: number }> {
  for (const c of cmds) timed(c.cmd, c.args, c.okCodes);
  const times = cmds.map(() => [] as number[]);
  for (let r = 0; r < RUNS; r++) cmds.forEach((c, k) => times[k]!.push(timed(c.cmd, c.args, c.okCodes)));
  return times.map((t) => ({ median: median(t), best: Math.min(...t) }));
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
      node_empty_process_ms: ms(node!.median),
      target_help_within_150ms: ms(help!.median) <= TARGET_HELP_MS,
      diagnose_1M_rows_process_s: round(diag!.median),
      diagnose_1M_rows_process_best_s: round(diag!.best),
      pandas_read_csv_process_s: pd ? round(pd.median) : 'pandas not installed (pip install pandas)',
      pandas_read_csv_process_best_s: pd ? round(pd.best) : null,
      diagnose_vs_pandas_ratio: ratio,
      target_diagnose_within_1x_pandas: ratio === null ? null : ratio <= TARGET_VS_PANDAS,
      load_average_1m: Number(os.loadavg()[0]!.toFixed(2)),
      note: `whole processes, wall clock, median (and best) of ${RUNS} alternating runs after a warm-up; runmedic = node ${path.relative(ROOT, BIN)} (the package's bin)`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
