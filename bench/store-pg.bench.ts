/**
 * PostgreSQL beside SQLite in one run (issue 18): store-only ingest of a 1,000,000-row Keras CSV (5 M points), load +
 * diagnose of that run, and push throughput through `runmedic serve --api-only` processes with 1 and 2 replicas on
 * PostgreSQL (and 1 on SQLite), clients in child processes (bench/push/load-client.ts).
 * PostgreSQL: BENCH_DATABASE_URL when set, else a throwaway cluster (test/support/pg-cluster.ts) with PostgreSQL's
 * default settings (CLUSTER_SETTINGS: durability on; see the result's note for how each side syncs). Targets:
 * PostgreSQL within 2× of SQLite for ingest and diagnose; push ≥ 50,000 points/s with one replica.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createApiToken } from '../src/app/api-tokens.ts';
import pgDriver from 'pg';
import type { RunLog } from '../src/domain/run.ts';
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
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : +((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2).toFixed(3);
};

/** Rounds of ingest and of load + diagnose, each backend once a round, in alternating order (drift hits both). */
const ROUNDS = 7;

/**
 * One store-only ingest: its wall-clock seconds, and the CPU seconds it took (this process's, and for PostgreSQL its
 * cluster's processes' too, when `pgPort` is known): on a machine shared with other work the wall clock measures the
 * neighbours as much as the stores.
 */
async function ingest(stores: Stores, log: RunLog, hash: string, pgPort: number | null = null): Promise<{ id: string; points: number; s: number; cpu: number }> {
  const pg0 = postgresCpu(pgPort);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const [saved] = await stores.runs.saveRuns([{ log, source: { format: log.format, fileName: 'big-keras.csv', contentHash: hash } }]);
  const s = secs(t0);
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6 + postgresCpuSince(pg0, postgresCpu(pgPort));
  return { id: saved!.run.id, points: saved!.run.points, s, cpu: +cpu.toFixed(3) };
}

async function loadAndDiagnose(stores: Stores, id: string): Promise<{ load: number; total: number }> {
  const t1 = performance.now();
  const run = (await stores.runs.getRun(id))!;
  const load = secs(t1);
  diagnose({ id: run.id, name: run.name, format: run.source.format, series: run.series, points: run.points, epochs: run.epochs });
  return { load, total: secs(t1) };
}

/**
 * Store-only ingest of the parsed CSV and load + diagnose of the stored run, SQLite and PostgreSQL in the same rounds.
 * The first ingest of each goes into its fresh database (PostgreSQL's fresh cluster then creates and zero-fills each
 * 16 MB WAL segment it writes, as a new server does until its first checkpoint recycles them); it is reported apart.
 * The rounds measure a running server: before each timed PostgreSQL ingest a CHECKPOINT (not timed) does what the
 * server's checkpointer does in the background between ingests (writes the previous ingest's pages out, recycles the
 * WAL segments). SQLite checkpoints its WAL inside the ingest's commit (wal_autocheckpoint), and that is timed.
 */
async function storeFigures(sqlite: Stores, pg: Stores, csv: Buffer, checkpoint: () => Promise<boolean>, pgPort: number | null) {
  const log = parseFile(csv, 'big-keras.csv')[0]!;
  const backends = { sqlite, postgres: pg } as const;
  type Name = keyof typeof backends;
  const port = (name: Name) => (name === 'postgres' ? pgPort : null);
  const first = { sqlite: await ingest(sqlite, log, 'bench-pg#first'), postgres: await ingest(pg, log, 'bench-pg#first', pgPort) };
  const times: Record<Name, number[]> = { sqlite: [], postgres: [] };
  const cpus: Record<Name, number[]> = { sqlite: [], postgres: [] };
  const ratios: number[] = [];
  let checkpointed = true;
  for (let r = 0; r < ROUNDS; r++) {
    const order: Name[] = r % 2 ? ['postgres', 'sqlite'] : ['sqlite', 'postgres'];
    for (const name of order) {
      if (name === 'postgres') checkpointed = (await checkpoint()) && checkpointed;
      const one = await ingest(backends[name], log, `bench-pg#${r}`, port(name));
      times[name].push(one.s);
      cpus[name].push(one.cpu);
    }
    ratios.push(+(times.postgres[r]! / times.sqlite[r]!).toFixed(2));
  }
  const loads: Record<Name, number[]> = { sqlite: [], postgres: [] };
  const totals: Record<Name, number[]> = { sqlite: [], postgres: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of (r % 2 ? ['postgres', 'sqlite'] : ['sqlite', 'postgres']) as Name[]) {
      const { load, total } = await loadAndDiagnose(backends[name], first[name].id);
      loads[name].push(load);
      totals[name].push(total);
    }
  }
  const figures = (name: Name) => ({
    points: first[name].points,
    first_ingest_s: first[name].s,
    store_only_ingest_s: median(times[name]),
    ingest_rounds_s: times[name],
    ingest_cpu_s: median(cpus[name]),
    load_s: median(loads[name]),
    load_plus_diagnose_s: median(totals[name]),
  });
  return { sqlite: figures('sqlite'), postgres: figures('postgres'), ingestRatios: ratios, checkpointed };
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
 * CPU seconds so far of each process of the bench's own PostgreSQL (the postmaster listening on `port` and its
 * children: backends, writers), alive now. Not every process of the `postgres` user: other clusters on the machine
 * (tests run meanwhile) would count.
 */
function postgresCpu(port: number | null): Map<number, number> {
  const out = new Map<number, number>();
  if (port === null) return out;
  try {
    const procs = execFileSync('ps', ['-u', 'postgres', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
      .split('\n')
      .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
    const postmaster = procs.find((p) => new RegExp(`\\s-p\\s+${port}(\\s|$)`).test(p.args));
    if (!postmaster) return out;
    for (const p of procs) if (p.pid === postmaster.pid || p.ppid === postmaster.pid) out.set(p.pid, cpuSeconds(p.pid));
  } catch {
    // ps missing: no PostgreSQL figure.
  }
  return out;
}

/**
 * PostgreSQL's CPU seconds between two postgresCpu readings: what the processes alive at the end used since the first
 * (all of it for those started since). A backend that exited meanwhile (the bench's own idle pool connections close
 * after 30 s) must not count: subtracting its earlier total made the figure too small, even near zero.
 */
function postgresCpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let s = 0;
  for (const [pid, cpu] of after) s += cpu - (before.get(pid) ?? 0);
  return s;
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
    const pg0 = postgresCpu(pgPort);
    // Each replica's client pushes runs of its own names (a run's name is its alert key: shared names would share
    // the alert lock and the previous verdict).
    const reports = await Promise.all(servers.map((s, i) => clients({ url: s.url, token, runs: PUSH_RUNS, stepsPerBatch: 50, seconds: PUSH_SECONDS, namePrefix: `bench-${replicas}r${i}` })));
    const serverCpu = servers.reduce((n, s) => n + cpuSeconds(s.child.pid), 0) - server0;
    const pgCpu = postgresCpuSince(pg0, postgresCpu(pgPort));
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

/**
 * PostgreSQL's settings in the throwaway cluster: its defaults (fsync, full_page_writes and synchronous_commit on,
 * shared_buffers 128MB), nothing turned off. The push servers' sessions set synchronous_commit=off (in DATABASE_URL):
 * a commit survives a crash of runmedic or PostgreSQL, not of the machine, as SQLite's synchronous=NORMAL in WAL mode
 * (runmedic's setting), which syncs at checkpoints only.
 */
const CLUSTER_SETTINGS: Record<string, string> = {};
const PUSH_SESSION = 'options=-c%20synchronous_commit%3Doff';

export default async function storePgBench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-bench-pg-'));
  let cluster: TestPostgres | null = null;
  try {
    const url = process.env.BENCH_DATABASE_URL ?? (await (cluster = await startTestPostgres(null, CLUSTER_SETTINGS)).freshDatabase());
    const pushUrl = `${url}${url.includes('?') ? '&' : '?'}${PUSH_SESSION}`;
    const admin = new pgDriver.Client({ connectionString: url });
    await admin.connect();
    const settings = Object.fromEntries(
      (await admin.query<{ name: string; setting: string }>(
        `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'wal_buffers', 'max_wal_size', 'wal_compression', 'default_toast_compression') ORDER BY name`,
      )).rows.map((r) => [r.name, r.setting]),
    );
    const checkpoint = () => admin.query('CHECKPOINT').then(() => true, () => false);
    const loadBefore = os.loadavg().map((l) => +l.toFixed(2));

    // The store figures in databases of their own, dropped afterwards: the push figures must not pay for vacuuming
    // and checkpointing the 300-odd MB the ingest rounds leave behind.
    const storeUrl = cluster ? await cluster.freshDatabase() : url;
    const storeSqlite = path.join(dir, 'store.db');
    const sqliteForStore = await openStores({ dbPath: storeSqlite });
    const pgForStore = await openStores({ databaseUrl: storeUrl, dbPath: '' });
    const store = await storeFigures(sqliteForStore, pgForStore, kerasCsv(ROWS), checkpoint, cluster?.port ?? null);
    await sqliteForStore.close();
    await pgForStore.close();
    rmSync(storeSqlite, { force: true });
    if (cluster) await admin.query(`DROP DATABASE ${pgDriver.escapeIdentifier(new URL(storeUrl).pathname.slice(1))} WITH (FORCE)`);
    await checkpoint();
    await admin.end();
    const loadAfterStore = os.loadavg().map((l) => +l.toFixed(2));

    // BENCH_PUSH=0: the store figures alone (repeated runs of the ingest comparison).
    const push = process.env.BENCH_PUSH !== '0';
    const sqlite = await openStores({ dbPath: path.join(dir, 'bench.db') });
    const pg = await openStores({ databaseUrl: url, dbPath: '' });
    const sqlitePush = push ? await pushFigures(sqlite, { RUNMEDIC_DB: path.join(dir, 'bench.db') }, 1) : null;
    const pgPush1 = push ? await pushFigures(pg, { DATABASE_URL: pushUrl }, 1, cluster?.port ?? null) : null;
    const pgPush2 = push ? await pushFigures(pg, { DATABASE_URL: pushUrl }, 2, cluster?.port ?? null) : null;
    await sqlite.close();
    await pg.close();
    return {
      postgres: process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'throwaway local cluster, PostgreSQL 15 defaults',
      postgres_settings: settings,
      note:
        'SQLite: runmedic\'s settings (WAL, synchronous=NORMAL; a 1 M-row ingest checkpoints its WAL, with fsyncs, inside its commit). ' +
        'PostgreSQL: the settings above, none turned off; the ingest commits with synchronous_commit on (it waits for the WAL fsync), the push ' +
        'servers\' sessions set synchronous_commit=off (as SQLite NORMAL: durable across a crash of the processes, not of the machine). ' +
        `Ingest and load + diagnose: medians of ${ROUNDS} rounds, both backends in each round in alternating order, each PostgreSQL ingest after a ` +
        'CHECKPOINT (not timed: what a running server\'s checkpointer does between ingests; WAL segments recycled). first_ingest_s: the first ' +
        'ingest into each fresh database (PostgreSQL creating and zero-filling new WAL segments, as a new cluster does). The store figures ' +
        'use databases of their own, dropped before the push figures (which then do not vacuum or checkpoint what the ingests left). ' +
        'ingest_cpu_s: median CPU seconds of an ingest, runmedic\'s process and for PostgreSQL its cluster\'s processes (backend, WAL writer, ' +
        'checkpointer; not with BENCH_DATABASE_URL).' +
        (store.checkpointed ? '' : ' CHECKPOINT was refused (not a superuser): the rounds ran without it.'),
      csv_rows: ROWS,
      sqlite: { ...store.sqlite, push_1_replica: sqlitePush },
      postgres_store: store.postgres,
      postgres_push_1_replica: pgPush1,
      postgres_push_2_replicas: pgPush2,
      ingest_ratio_pg_over_sqlite: +(store.postgres.store_only_ingest_s / store.sqlite.store_only_ingest_s).toFixed(2),
      ingest_ratio_each_round: store.ingestRatios,
      ingest_cpu_ratio_pg_over_sqlite: store.postgres.ingest_cpu_s && store.sqlite.ingest_cpu_s ? +(store.postgres.ingest_cpu_s / store.sqlite.ingest_cpu_s).toFixed(2) : null,
      first_ingest_ratio_pg_over_sqlite: +(store.postgres.first_ingest_s / store.sqlite.first_ingest_s).toFixed(2),
      diagnose_ratio_pg_over_sqlite: +(store.postgres.load_plus_diagnose_s / store.sqlite.load_plus_diagnose_s).toFixed(2),
      second_replica_gain: pgPush1 && pgPush2 ? +(pgPush2.points_per_s / pgPush1.points_per_s).toFixed(2) : null,
      load_average_before: loadBefore,
      load_average_after_store: loadAfterStore,
      load_average_after: os.loadavg().map((l) => +l.toFixed(2)),
      cores: os.cpus().length,
    };
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
