/**
 * Sustained ingest over the push API: 10 concurrent runs, each sending batches of 100 points (50 steps × loss and
 * accuracy) back to back over a real socket, incremental diagnosis on, alerts recorded (no Discord). Reports points/s
 * and per-batch latency (p50/p95/p99), how many batches were diagnosed, and the same load with a full rediagnosis on
 * every batch for comparison. Server and clients share this process (and the machine's 2 cores with everyone else);
 * use_case_ms is the time inside PushService.pushMetrics, points_per_cpu_s the throughput per CPU-second we got.
 * Targets (issue 7): ≥ 50,000 points/s and p95 ≤ 50 ms per batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

const RUNS = 10;
const STEPS_PER_BATCH = 50;
const GUILD = '444444444444444444';

async function phase(seconds: number, service: Partial<PushServiceOptions>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-push-bench-'));
  const db = openDatabase(path.join(dir, 'bench.db'));
  const runs = new SqliteRunStore(db);
  const push = new SqlitePushStore(db);
  const alerts = new AlertService(new SqliteAlertStore(db));
  const svc = new PushService({ runs, push, alerts, ...service });
  let diagnosed = 0;
  // Time inside the use case (store append, rediagnosis, verdict + outbox), apart from HTTP, JSON and the clients.
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
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const post = async (p: string, body: unknown) => {
    const res = await fetch(api.url + p, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (!res.ok) throw new Error(`${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const latencies: number[] = [];
  let points = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: RUNS }, async (_, r) => {
      const { id } = await post('/api/v1/runs', { name: `bench-${r}`, classes: 10 });
      let step = 0;
      while (performance.now() < until) {
        const batch = [];
        for (let i = 0; i < STEPS_PER_BATCH; i++, step++) {
          const t = step / 20_000;
          batch.push({ step, epoch: step / 1000, metrics: { loss: 0.3 + 2 * Math.exp(-4 * t) + 0.05 * Math.sin(step), accuracy: 0.9 - 0.8 * Math.exp(-4 * t) } });
        }
        const s = performance.now();
        const out = await post(`/api/v1/runs/${id}/metrics`, { points: batch });
        latencies.push(performance.now() - s);
        points += out.accepted;
        if (out.diagnosed) diagnosed++;
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await api.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  serverMs.sort((a, b) => a - b);
  const at = (xs: number[], p: number) => +xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(1);
  const q = (p: number) => at(latencies, p);
  return {
    points_per_s: Math.round(points / wall),
    batches: latencies.length,
    points_per_run: Math.round(points / RUNS),
    batch_ms_p50: q(0.5),
    batch_ms_p95: q(0.95),
    batch_ms_p99: q(0.99),
    use_case_ms_p50: at(serverMs, 0.5),
    use_case_ms_p95: at(serverMs, 0.95),
    batches_diagnosed: diagnosed,
    cpu_seconds: +((cpu.user + cpu.system) / 1e6).toFixed(1),
    // Throughput per CPU-second this process got (clients included): comparable across differently loaded runs.
    points_per_cpu_s: Math.round(points / ((cpu.user + cpu.system) / 1e6)),
    wall_seconds: +wall.toFixed(1),
  };
}

export default async function pushBench(): Promise<Record<string, unknown>> {
  const incremental = await phase(15, {});
  const everyBatch = await phase(8, { alwaysDiagnoseBelow: Infinity, rediagnoseIntervalMs: 0 });
  return {
    runs: RUNS,
    points_per_batch: STEPS_PER_BATCH * 2,
    incremental,
    full_rediagnosis_every_batch: everyBatch,
    target_points_per_s: 50_000,
    target_batch_ms_p95: 50,
    meets_target: incremental.points_per_s >= 50_000 && incremental.batch_ms_p95 <= 50,
    load_average: os.loadavg().map((l) => +l.toFixed(1)),
  };
}
