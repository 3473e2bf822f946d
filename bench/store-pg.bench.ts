/**
 * PostgreSQL beside SQLite in one run (issue 18): store-only ingest of a 1,000,000-row Keras CSV (5 M points), load +
 * diagnose of that run, and push throughput through `runmedic serve --api-only` processes with 1 and 2 replicas on
 * PostgreSQL (and 1 on SQLite), clients in child processes (bench/push/load-client.ts).
 * PostgreSQL: BENCH_DATABASE_URL when set, else a throwaway cluster (test/support/pg-cluster.ts; fsync off, so the
 * figures are the engine's and the driver's, not the disk's). Targets: PostgreSQL within 2× of SQLite for ingest and
 * diagnose; push ≥ 50,000 points/s with one replica.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createApiToken } from '../src/app/api-tokens.ts';
import { diagnose } from '../src/diagnose/index.ts';
import { parseFile } from '../src/ingest/index.ts';
import { openStores, type Stores } from '../src/store/open-stores.ts';
import { builtBin } from '../test/support/built.ts';
import { startTestPostgres, type TestPostgres } from '../test/support/pg-cluster.ts';
import type { LoadReport, LoadRequest } from './push/load-client.ts';

const ROWS = 1_000_000;
const GUILD = '444444444444444444';
const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'push', 'load-client.ts');
const PUSH_RUNS = 10;
const PUSH_SECONDS = 12;

function kerasCsv(rows: number): Buffer {
  let s = 12345;
  const noise = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.02;
  const parts: string[] = ['epoch,accuracy,loss,lr,val_accuracy,val_loss\n'];
  for (let e = 0; e < rows; e++) {
    const t = e / rows;
    const loss = 0.2 + 2 * Math.exp(-8 * t) + noise();
    parts.push(`${e},${(0.95 - 0.8 * Math.exp(-6 * t) + noise()).toFixed(6)},${loss.toFixed(6)},${(0.001 * (1 - 0.5 * t)).toExponential(4)},${(0.93 - 0.8 * Math.exp(-6 * t) + noise()).toFixed(6)},${(loss + 0.05 + noise()).toFixed(6)}\n`);
  }
  return Buffer.from(parts.join(''));
}

const secs = (t0: number) => +((performance.now() - t0) / 1000).toFixed(3);

async function storeFigures(stores: Stores, csv: Buffer) {
  const logs = parseFile(csv, 'big-keras.csv');
  const t0 = performance.now();
  const [saved] = await stores.runs.saveRuns(logs.map((log, i) => ({ log, source: { format: log.format, fileName: 'big-keras.csv', contentHash: `bench-pg#${i}` } })));
  const ingest = secs(t0);
  const loads: number[] = [];
  const diagnoses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t1 = performance.now();
    const run = (await stores.runs.getRun(saved!.run.id))!;
    loads.push(secs(t1));
    const t2 = performance.now();
    diagnose({ id: run.id, name: run.name, format: run.source.format, series: run.series, points: run.points, epochs: run.epochs });
    diagnoses.push(secs(t2));
  }
  return { points: saved!.run.points, store_only_ingest_s: ingest, load_best_s: Math.min(...loads), load_plus_diagnose_best_s: +Math.min(...loads.map((l, i) => l + diagnoses[i]!)).toFixed(3) };
}

function clients(req: LoadRequest): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const child = fork(CLIENT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report: LoadReport | null = null;
    child.once('message', (m) => (report = m as LoadReport));
    child.once('error', reject);
    child.once('exit', (code) => (report ? resolve(report) : reject(new Error(`load client exited with ${code}`))));
    child.send(req);
  });
}

async function serve(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = 40_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [builtBin(), 'serve', '--api-only'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', HTTP_PORT: String(port), HTTP_RATE_PER_SECOND: '1000000', HTTP_RATE_BURST: '1000000', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    const t = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 60_000);
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.includes('runmedic API on')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); 0 when it is gone. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of the bench's own PostgreSQL (the postmaster listening on `port` and its children: backends, writers),
 * alive now. Not every process of the `postgres` user: other clusters on the machine (tests run meanwhile) would count.
 */
function postgresCpuSeconds(port: number | null): number {
  if (port === null) return 0;
  try {
    const procs = execFileSync('ps', ['-u', 'postgres', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
      .split('\n')
      .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
    const postmaster = procs.find((p) => new RegExp(`\\s-p\\s+${port}(\\s|$)`).test(p.args));
    if (!postmaster) return 0;
    return cpuSeconds(postmaster.pid) + procs.filter((p) => p.ppid === postmaster.pid).reduce((n, p) => n + cpuSeconds(p.pid), 0);
  } catch {
    return 0;
  }
}

/**
 * Push through `replicas` serve processes, one client process per replica, all at once. Besides the wall-clock rate
 * (which on a shared, loaded machine says more about the neighbours than about runmedic), the CPU seconds the servers
 * and PostgreSQL spent: points per CPU-second is the figure a capacity estimate can scale.
 */
async function pushFigures(stores: Stores, env: Record<string, string>, replicas: number, pgPort: number | null = null) {
  const token = (await createApiToken(stores.push, { guildId: GUILD, name: `bench-${replicas}` }, Date.now())).token;
  const servers = await Promise.all(Array.from({ length: replicas }, () => serve(env)));
  try {
    const server0 = servers.reduce((n, s) => n + cpuSeconds(s.child.pid), 0);
    const pg0 = postgresCpuSeconds(pgPort);
    // Each replica's client pushes runs of its own names (a run's name is its alert key: shared names would share
    // the alert lock and the previous verdict).
    const reports = await Promise.all(servers.map((s, i) => clients({ url: s.url, token, runs: PUSH_RUNS, stepsPerBatch: 50, seconds: PUSH_SECONDS, namePrefix: `bench-${replicas}r${i}` })));
    const serverCpu = servers.reduce((n, s) => n + cpuSeconds(s.child.pid), 0) - server0;
    const pgCpu = postgresCpuSeconds(pgPort) - pg0;
    const pointsTotal = reports.reduce((n, r) => n + r.points, 0);
    const lat = reports.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
    const wall = Math.max(...reports.map((r) => r.wallSeconds));
    return {
      replicas,
      runs: PUSH_RUNS * replicas,
      points_per_s: Math.round(pointsTotal / wall),
      batch_ms_p50: +lat[Math.floor(lat.length * 0.5)]!.toFixed(1),
      batch_ms_p95: +lat[Math.floor(lat.length * 0.95)]!.toFixed(1),
      server_cpu_s: +serverCpu.toFixed(1),
      postgres_cpu_s: +pgCpu.toFixed(1),
      // The load generators' own CPU: with the servers and PostgreSQL, what the run asked of the machine's cores.
      client_cpu_s: +reports.reduce((n, r) => n + r.cpuSeconds, 0).toFixed(1),
      points_per_cpu_s: Math.round(pointsTotal / Math.max(0.01, serverCpu + pgCpu)),
    };
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
  }
}

export default async function storePgBench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-bench-pg-'));
  let cluster: TestPostgres | null = null;
  try {
    const url = process.env.BENCH_DATABASE_URL ?? (await (cluster = await startTestPostgres()).freshDatabase());
    const csv = kerasCsv(ROWS);
    const sqlite = await openStores({ dbPath: path.join(dir, 'bench.db') });
    const pg = await openStores({ databaseUrl: url, dbPath: '' });
    const loadBefore = os.loadavg().map((l) => +l.toFixed(2));
    const sqliteStore = await storeFigures(sqlite, csv);
    const pgStore = await storeFigures(pg, csv);
    const sqlitePush = await pushFigures(sqlite, { RUNMEDIC_DB: path.join(dir, 'bench.db') }, 1);
    const pgPush1 = await pushFigures(pg, { DATABASE_URL: url }, 1, cluster?.port ?? null);
    const pgPush2 = await pushFigures(pg, { DATABASE_URL: url }, 2, cluster?.port ?? null);
    await sqlite.close();
    await pg.close();
    return {
      postgres: process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'throwaway local cluster (fsync off, shared_buffers 32MB)',
      csv_rows: ROWS,
      sqlite: { ...sqliteStore, push_1_replica: sqlitePush },
      postgres_store: pgStore,
      postgres_push_1_replica: pgPush1,
      postgres_push_2_replicas: pgPush2,
      ingest_ratio_pg_over_sqlite: +(pgStore.store_only_ingest_s / sqliteStore.store_only_ingest_s).toFixed(2),
      diagnose_ratio_pg_over_sqlite: +(pgStore.load_plus_diagnose_best_s / sqliteStore.load_plus_diagnose_best_s).toFixed(2),
      second_replica_gain: +(pgPush2.points_per_s / pgPush1.points_per_s).toFixed(2),
      load_average_before: loadBefore,
      load_average_after: os.loadavg().map((l) => +l.toFixed(2)),
      cores: os.cpus().length,
    };
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
