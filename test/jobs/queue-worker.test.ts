/**
 * The durable job queue on PostgreSQL, as processes: `runmedic train --queue` enqueues (and follows), two
 * `runmedic worker` processes train, each job exactly once; a worker killed with SIGKILL mid-job loses the job to the
 * other (attempt 2), whose training a cancel from another process then stops. Real training (the small `blobs`
 * preset), real connections. Skipped with a notice when PostgreSQL is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { PgJobStore } from '../../src/store/pg/pg-job-store.ts';
import { openPgPool, type PgPool } from '../../src/store/pg/pg-database.ts';
import type { JobRecord } from '../../src/store/job-store.ts';
import { ensureBuilt, builtBin } from '../support/built.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { REPO_ROOT } from '../support/real-logs.ts';
import { runCli } from '../support/run-cli.ts';
import { testCluster, useStoreBackends } from '../support/store-backends.ts';

useStoreBackends();

describe.runIf(postgresAvailable())('runmedic worker on a PostgreSQL queue', { timeout: 240_000 }, () => {
  let url: string;
  let pool: PgPool;
  let jobs: PgJobStore;
  const workers = new Map<string, { child: ChildProcess; log: string[]; exited: Promise<number | null> }>();

  // A worker whose heartbeat is 5 s late is taken for dead: 1.5 s let a worker starved by a loaded machine (the whole
  // suite on 2 cores) lose its job to the other worker, which then trained it a second time (attempts 2).
  const startWorker = (id: string) => {
    const child = spawn(process.execPath, [builtBin(), 'worker', '--id', id, '--heartbeat-ms', '300', '--stale-ms', '5000'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, LOG_LEVEL: 'info', RUNMEDIC_TF_BACKEND: process.env.RUNMEDIC_TF_BACKEND ?? '' },
    });
    const log: string[] = [];
    child.stderr!.on('data', (d) => log.push(String(d)));
    child.stdout!.on('data', (d) => log.push(String(d)));
    workers.set(id, { child, log, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) });
  };

  const waitFor = async (what: string, check: () => Promise<JobRecord | null | false | undefined>, ms = 120_000): Promise<JobRecord> => {
    const until = Date.now() + ms;
    for (;;) {
      const r = await check();
      if (r) return r;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; workers said:\n${[...workers.entries()].map(([k, w]) => `${k}: ${w.log.join('')}`).join('\n')}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  };

  beforeAll(async () => {
    ensureBuilt();
    url = await testCluster().migratedDatabase();
    pool = await openPgPool(url, { migrate: false, max: 2 });
    jobs = new PgJobStore(pool);
  }, 600_000);

  afterAll(async () => {
    for (const w of workers.values()) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await pool?.end();
  });

  it('trains each of 20 queued jobs exactly once across two workers; train --queue follows its job to the checklist', async () => {
    const env = { DATABASE_URL: url };
    // 19 queued and left (as the issue asks: 20 jobs in all, with the followed one), four CLI processes at a time.
    const detached: Array<{ code: number | null; stdout: string; stderr: string }> = [];
    for (let k = 0; k < 19; k += 4) {
      detached.push(...(await Promise.all(Array.from({ length: Math.min(4, 19 - k) }, () => runCli(['train', '--queue', '--detach', '--json', '--preset', 'blobs', '--epochs', '2'], { env })))));
    }
    for (const d of detached) expect(d.code, d.stderr).toBe(0);
    const ids = detached.map((d) => (JSON.parse(d.stdout) as { jobId: string }).jobId);
    startWorker('wA');
    startWorker('wB');
    const followed = await runCli(['train', '--queue', '--preset', 'blobs', '--epochs', '2'], { env, timeoutMs: 180_000 });
    expect([0, 1]).toContain(followed.code);
    expect(followed.stderr).toMatch(/queued job \w+ in postgres:\/\/postgres@127\.0\.0\.1/);
    expect(followed.stderr).toMatch(/trained by w[AB] on \w+; run r_\w+ stored in/);
    expect(followed.stdout).toMatch(/passed/);
    const all = await waitFor('twenty finished jobs', async () => {
      const done = await jobs.list({ statuses: ['finished'], limit: 50 });
      return done.length === 20 ? done[0]! : null;
    });
    expect(all).toBeTruthy();
    const finished = await jobs.list({ limit: 50 });
    expect(finished.map((j) => j.status)).toEqual(Array.from({ length: 20 }, () => 'finished'));
    expect(new Set(finished.map((j) => j.runId)).size).toBe(20);
    for (const j of finished) expect([j.attempts, ['wA', 'wB'].includes(j.workerId!)]).toEqual([1, true]);
    // Both workers took part.
    expect(new Set(finished.map((j) => j.workerId)).size).toBe(2);
    expect(ids.every((id) => finished.some((j) => j.id === id))).toBe(true);
    const runs = await pool.query(`SELECT status, COUNT(*)::int AS n FROM runs GROUP BY status`);
    expect(runs.rows).toEqual([{ status: 'finished', n: 20 }]);
  });

  it('gives the job of a worker killed mid-job to the other (attempt 2), and a cancel from another process stops it there', async () => {
    const queued = await runCli(['train', '--queue', '--detach', '--preset', 'blobs', '--epochs', '1000'], { env: { DATABASE_URL: url } });
    const id = queued.stdout.trim();
    const first = await waitFor('the long job to report an epoch', async () => {
      const j = await jobs.get(id);
      return j?.status === 'running' && (j.progress as { type?: string } | null)?.type === 'epoch' ? j : null;
    });
    const victim = first.workerId!;
    const survivor = victim === 'wA' ? 'wB' : 'wA';
    workers.get(victim)!.child.kill('SIGKILL');
    const second = await waitFor('the job to run again on the other worker', async () => {
      const j = await jobs.get(id);
      return j?.status === 'running' && j.workerId === survivor && (j.progress as { type?: string } | null)?.type === 'epoch' ? j : null;
    });
    expect(second.attempts).toBe(2);
    expect(second.runId).not.toBe(first.runId);
    const firstRun = await pool.query('SELECT status FROM runs WHERE id = $1', [first.runId]);
    expect(firstRun.rows[0].status).toBe('crashed');
    expect(await jobs.requestCancel(id)).toMatchObject({ status: 'running' });
    const ended = await waitFor('the cancel to reach the worker', async () => {
      const j = await jobs.get(id);
      return j && j.status !== 'running' ? j : null;
    }, 30_000);
    expect(ended).toMatchObject({ status: 'cancelled', workerId: survivor, attempts: 2 });
    const w = workers.get(survivor)!;
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  });
});
