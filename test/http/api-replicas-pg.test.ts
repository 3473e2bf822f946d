/**
 * Several processes on one PostgreSQL, exactly once: two `runmedic serve --api-only` replicas take a diverging run's
 * batches alternately (some sent to both, as a client retrying on another replica does) → every point stored once
 * and one ping in the outbox; two outbox dispatchers running at once post each alert once; two schedulers claiming
 * one digest slot post it once. Skipped with a notice when PostgreSQL is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { decideAlerts } from '../../src/alerts/decide-alerts.ts';
import { OutboxDispatcher } from '../../src/alerts/outbox-dispatcher.ts';
import type { AlertMessage, Notifier } from '../../src/alerts/notifier.ts';
import { silentLogger } from '../../src/logger.ts';
import type { Stores } from '../../src/store/open-stores.ts';
import { openPgStores } from '../../src/store/pg/open-pg-stores.ts';
import { builtBin, ensureBuilt } from '../support/built.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { REPO_ROOT } from '../support/real-logs.ts';
import { runCli } from '../support/run-cli.ts';
import { testCluster, useStoreBackends } from '../support/store-backends.ts';
import { randomListenPort } from '../support/ports.ts';

useStoreBackends();

const GUILD = '555555555555555555';

describe.runIf(postgresAvailable())('API replicas, dispatchers and schedulers sharing PostgreSQL', { timeout: 180_000 }, () => {
  let url: string;
  const opened: Stores[] = [];
  const children: ChildProcess[] = [];
  const open = async () => {
    const s = await openPgStores(url, { poolSize: 4 });
    opened.push(s);
    return s;
  };

  const serve = async (): Promise<string> => {
    const port = randomListenPort();
    const child = spawn(process.execPath, [builtBin(), 'serve', '--api-only'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, LOG_LEVEL: 'warn', HTTP_PORT: String(port), HTTP_RATE_PER_SECOND: '1000', HTTP_RATE_BURST: '1000' },
    });
    children.push(child);
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line: ${stderr}`)), 60_000);
      child.stderr!.on('data', (d) => {
        stderr += d;
        if (stderr.includes('runmedic API on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return `http://127.0.0.1:${port}`;
  };

  beforeAll(async () => {
    ensureBuilt();
    url = await testCluster().migratedDatabase();
  }, 600_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const s of opened) await s.close();
  });

  it('stores each point once and pings once when a diverging run is pushed through two replicas alternately', async () => {
    const token = (await runCli(['token', 'create', 'ci', '--guild', GUILD], { env: { DATABASE_URL: url } })).stdout.trim();
    const stores = await open();
    await stores.alerts.saveSettings({ guildId: GUILD, channelId: '1111111111', roleId: '2222222222', events: ['divergence', 'nan_loss'], updatedAt: 1, updatedBy: null });
    const [a, b] = await Promise.all([serve(), serve()]);
    const call = async (base: string, path: string, body: unknown) => {
      const r = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const created = await call(a, '/api/v1/runs', { name: 'diverging-live', config: { learningRate: 3 } });
    expect(created.status).toBe(201);
    const runId = (created.body as { run?: { id: string }; id?: string }).run?.id ?? (created.body as { id: string }).id;
    // 40 epochs: healthy for 15, then the loss explodes to NaN.
    const loss = (e: number) => (e < 15 ? 2 / (e + 1) + 0.3 : e < 30 ? 0.4 * 1.6 ** (e - 14) : null);
    const batches = Array.from({ length: 20 }, (_, k) => [2 * k, 2 * k + 1].map((e) => ({ step: e + 1, epoch: e + 1, metrics: { loss: loss(e), val_loss: loss(e) === null ? null : loss(e)! * 1.1 } })));
    for (let k = 0; k < batches.length; k++) {
      const r = await call(k % 2 ? b : a, `/api/v1/runs/${runId}/metrics`, { points: batches[k] });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      // Every third batch is sent again to the other replica (a client retrying after a timeout).
      if (k % 3 === 0) {
        const again = await call(k % 2 ? a : b, `/api/v1/runs/${runId}/metrics`, { points: batches[k] });
        expect(again.body.accepted).toBe(0);
      }
    }
    const run = (await stores.runs.getRun(runId))!;
    expect(run.points).toBe(80);
    const lossSeries = run.series.find((s) => s.name === 'loss')!;
    expect(Array.from(lossSeries.steps)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const pings = (await stores.alerts.outbox()).filter((e) => e.payload.ping);
    expect(pings).toHaveLength(1);
    expect(pings[0]!.payload.findings.map((f) => f.id)).toContain('divergence');
    // /healthz on a replica names the shared database.
    const health = (await (await fetch(`${a}/healthz`)).json()) as { database: { backend: string; ok: boolean } };
    expect(health.database).toMatchObject({ backend: 'postgres', ok: true });
  });

  it('loses nothing accepted and stores nothing twice when a replica is killed with SIGKILL mid-batch', async () => {
    const token = (await runCli(['token', 'create', 'kill', '--guild', GUILD], { env: { DATABASE_URL: url } })).stdout.trim();
    const [a, b] = await Promise.all([serve(), serve()]);
    const victim = children.at(-2)!;
    const post = (base: string, p: string, body: unknown) =>
      fetch(`${base}${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = (await (await post(a, '/api/v1/runs', { name: 'survives-a-kill' })).json()) as { run?: { id: string }; id?: string };
    const runId = created.run?.id ?? created.id!;
    const batch = (k: number) => ({ points: Array.from({ length: 200 }, (_, j) => ({ step: k * 200 + j + 1, metrics: { loss: 1 / (k * 200 + j + 1) } })) });
    let accepted = 0;
    const send = async (k: number) => {
      // A client whose request failed (the replica died) sends the same batch to the other replica, as a load
      // balancer's retry does; a batch the dead replica had committed is then answered as duplicates.
      try {
        const r = await post(k % 2 && victim.exitCode === null && !victim.killed ? a : b, `/api/v1/runs/${runId}/metrics`, batch(k));
        if (r.status === 200) return ((await r.json()) as { accepted: number }).accepted;
      } catch {
        // connection reset by the kill
      }
      const r = await post(b, `/api/v1/runs/${runId}/metrics`, batch(k));
      expect(r.status).toBe(200);
      return ((await r.json()) as { accepted: number }).accepted;
    };
    // A client sends its batches in order (steps must grow); batch 15 goes to the replica that is killed while it
    // handles it (the kill lands mid-request: before, during or after its commit).
    for (let k = 0; k < 30; k++) {
      const pending = send(k);
      if (k === 15) setTimeout(() => victim.kill('SIGKILL'), 5);
      accepted += await pending;
    }
    const stores = await open();
    const run = (await stores.runs.getRun(runId))!;
    const steps = Array.from(run.series[0]!.steps);
    expect(steps.length).toBe(6000);
    expect(new Set(steps).size).toBe(6000);
    expect(run.points).toBe(6000);
    // Accepted once: a batch the dead replica committed before dying was answered as duplicates on the retry.
    expect(accepted).toBeLessThanOrEqual(6000);
    expect(accepted).toBeGreaterThanOrEqual(5800);
  });

  it('posts each outbox entry once with two dispatchers, and each digest slot once with two schedulers', async () => {
    const s1 = await open();
    const s2 = await open();
    const posted: string[] = [];
    const notifier: Notifier = {
      async postAlert(m: AlertMessage) {
        posted.push(m.idempotencyKey);
        await new Promise((r) => setTimeout(r, 20));
        return { messageId: `m${posted.length}` };
      },
      async openThread(_channel: string, messageId: string) {
        return { threadId: `t-${messageId}` };
      },
    };
    for (let i = 0; i < 12; i++) {
      const verdict = {
        run: { id: `r_fake${i}`, name: `run-${i}`, format: 'push', points: 2, epochs: 2 },
        status: 'fail' as const,
        items: [{ id: 'divergence', area: 'training' as const, status: 'fail' as const, title: 'Divergence', evidence: {}, fix: '', marks: [] }],
      };
      await s1.alerts.recordVerdict(verdict, verdict.run.name, decideAlerts, 10 + i);
    }
    const pending = (await s1.alerts.outbox()).filter((e) => e.deliveredAt === null).length;
    expect(pending).toBeGreaterThanOrEqual(12);
    const dispatchers = [s1, s2].map(
      (s) => new OutboxDispatcher({ store: s.alerts, notifier, log: silentLogger(), pollMs: 30, exclusive: (fn) => s.tryExclusive!('alert-outbox', fn) }),
    );
    for (const d of dispatchers) d.start();
    for (let t = Date.now(); (await s2.alerts.outbox()).some((e) => e.deliveredAt === null); ) {
      if (Date.now() - t > 30_000) throw new Error('outbox not delivered');
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const d of dispatchers) await d.stop();
    expect(posted.length).toBe(pending);
    expect(new Set(posted).size).toBe(pending);

    await s1.digests.addSchedule({ id: 'd_1', guildId: GUILD, channelId: '1111111111', cron: '0 9 * * *', timezone: 'UTC', windowMs: 86_400_000, createdAt: 1, createdBy: null });
    const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => [s1, s2][i % 2]!.digests.claimSlot('d_1', 1_700_000_000_000, `p${i}`, 2, false)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });
});
