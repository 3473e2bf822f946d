/**
 * Sustained ingest over the push API: 10 concurrent runs, each sending batches of 100 points (50 steps × loss and
 * accuracy) back to back over a real socket, incremental diagnosis on, verdicts and alerts recorded (no Discord).
 * Reports points/s and per-batch latency (p50/p95/p99), how many batches were diagnosed, and the same load with a full
 * rediagnosis on every batch for comparison.
 *
 * The server runs in this process; the clients run in a child process (bench/push/load-client.ts) so their JSON
 * encoding and HTTP stack do not compete with the server on one event loop. They still share the machine's cores
 * (with everyone else's work too), so each phase records the load average before and after, the server's own CPU time
 * and the points per server CPU-second, which move much less with load than points/s does.
 * use_case_ms is the time inside PushService.pushMetrics (store append, rediagnosis, verdict + outbox); it includes
 * waiting for the store's group commit, which happens once the batches that arrived in the same turn of the event loop
 * have been parsed.
 * SQLite runs in WAL mode with synchronous=NORMAL (database.ts): a commit is durable against a crash of the process,
 * not of the OS; the standard setting for WAL, and checkpoints made no measurable difference to this bench.
 * Targets (issue 7): ≥ 50,000 points/s and p95 ≤ 50 ms per batch.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/store/database.ts';
import { SqliteRunStore } from '../src/store/sqlite-run-store.ts';
import { SqlitePushStore } from '../src/store/sqlite-push-store.ts';
import { SqliteAlertStore } from '../src/store/sqlite-alert-store.ts';
import { AlertService } from '../src/alerts/alert-service.ts';
import { PushService, type PushServiceOptions } from '../src/app/push-run.ts';
import { createApiToken } from '../src/app/api-tokens.ts';
import { startApiServer } from '../src/http/api-server.ts';
import { silentLogger } from '../src/logger.ts';
import type { LoadReport, LoadRequest } from './push/load-client.ts';

const RUNS = 10;
const STEPS_PER_BATCH = 50;
const GUILD = '444444444444444444';
const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'push', 'load-client.ts');

const loadavg = () => os.loadavg().map((l) => +l.toFixed(2));

function runClients(req: LoadRequest): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const child = fork(CLIENT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report: LoadReport | null = null;
    child.once('message', (m) => (report = m as LoadReport));
    child.once('error', reject);
    child.once('exit', (code) => (report ? resolve(report) : reject(new Error(`load client exited with ${code} and no report`))));
    child.send(req);
  });
}

/**
 * One measured phase on a fresh database. Exported for profiling the server alone, e.g. a script that imports it,
 * run with `node --cpu-prof --import tsx` (the clients' process is not profiled).
 */
export async function phase(seconds: number, service: Partial<PushServiceOptions>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-push-bench-'));
  const db = openDatabase(path.join(dir, 'bench.db'));
  const runs = new SqliteRunStore(db);
  const push = new SqlitePushStore(db);
  const alerts = new AlertService(new SqliteAlertStore(db));
  const svc = new PushService({ runs, push, alerts, ...service });
  const serverMs: number[] = [];
  const pushMetrics = svc.pushMetrics.bind(svc);
  svc.pushMetrics = async (...args) => {
    const s = performance.now();
    try {
      return await pushMetrics(...args);
    } finally {
      serverMs.push(performance.now() - s);
    }
  };
  const api = await startApiServer({ service: svc, tokens: push, log: silentLogger(), host: '127.0.0.1', port: 0, ratePerSecond: 1e6, rateBurst: 1e6, maxBodyBytes: 8 << 20 });
  const token = (await createApiToken(push, { guildId: GUILD, name: 'bench' }, Date.now())).token;
  const loadBefore = loadavg();
  const cpu0 = process.cpuUsage();
  const report = await runClients({ url: api.url, token, runs: RUNS, stepsPerBatch: STEPS_PER_BATCH, seconds });
  const cpu = process.cpuUsage(cpu0);
  const loadAfter = loadavg();
  await api.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const latencies = [...report.latenciesMs].sort((a, b) => a - b);
  serverMs.sort((a, b) => a - b);
  const at = (xs: number[], p: number) => +xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(1);
  const serverCpu = (cpu.user + cpu.system) / 1e6;
  return {
    points_per_s: Math.round(report.points / report.wallSeconds),
    batches: latencies.length,
    points_per_run: Math.round(report.points / RUNS),
    batch_ms_p50: at(latencies, 0.5),
    batch_ms_p95: at(latencies, 0.95),
    batch_ms_p99: at(latencies, 0.99),
    use_case_ms_p50: at(serverMs, 0.5),
    use_case_ms_p95: at(serverMs, 0.95),
    batches_diagnosed: report.diagnosed,
    server_cpu_seconds: +serverCpu.toFixed(1),
    client_cpu_seconds: +report.cpuSeconds.toFixed(1),
    // Throughput per CPU-second the server got: comparable across differently loaded runs.
    points_per_server_cpu_s: Math.round(report.points / serverCpu),
    wall_seconds: +report.wallSeconds.toFixed(1),
    load_average_before: loadBefore,
    load_average_after: loadAfter,
  };
}

export default async function pushBench(): Promise<Record<string, unknown>> {
  const incremental = await phase(15, {});
  const everyBatch = await phase(8, { alwaysDiagnoseBelow: Infinity, rediagnoseIntervalMs: 0 });
  return {
    runs: RUNS,
    points_per_batch: STEPS_PER_BATCH * 2,
    clients: 'child process (bench/push/load-client.ts), node:http keep-alive',
    sqlite: 'WAL, synchronous=NORMAL',
    incremental,
    full_rediagnosis_every_batch: everyBatch,
    target_points_per_s: 50_000,
    target_batch_ms_p95: 50,
    meets_target: incremental.points_per_s >= 50_000 && incremental.batch_ms_p95 <= 50,
    cpus: os.cpus().length,
    load_average: loadavg(),
  };
}
