/**
 * PostgreSQL as the store several processes share, over real connections to a throwaway cluster: migrations applied
 * once however many processes start at once, concurrent ingests and appends, one ping per finding when replicas judge
 * one run together, jobs claimed once each, and the CLI as a process with DATABASE_URL. Skipped (with a notice) when
 * the PostgreSQL binaries are not installed.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import pg from 'pg';
import { decideAlerts } from '../../src/alerts/decide-alerts.ts';
import type { Verdict } from '../../src/domain/verdict.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { AdvisoryLocks } from '../../src/store/pg/pg-advisory-locks.ts';
import { LOCK, openPgPool } from '../../src/store/pg/pg-database.ts';
import { PG_MIGRATIONS } from '../../src/store/pg/pg-migrations.ts';
import { PgAlertStore } from '../../src/store/pg/pg-alert-store.ts';
import { PgJobStore } from '../../src/store/pg/pg-job-store.ts';
import { PgRunStore } from '../../src/store/pg/pg-run-store.ts';
import { RunNotFoundError } from '../../src/store/run-store.ts';
import { REPO_ROOT } from '../support/real-logs.ts';
import { runCli } from '../support/run-cli.ts';
import { runLog, series, source } from '../support/run-log-fixtures.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { testCluster, useStoreBackends } from '../support/store-backends.ts';

useStoreBackends();

describe('PostgreSQL and SQLite schemas', () => {
  it('have the same migrations, same versions and names, in the same order', () => {
    expect(PG_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
  });
});

describe.runIf(postgresAvailable())('PostgreSQL shared by several processes', { timeout: 120_000 }, () => {
  const pools: pg.Pool[] = [];
  const pool = async (url: string) => {
    const p = await openPgPool(url, { migrate: false, max: 4 });
    pools.push(p);
    return p;
  };
  const endPools = async () => {
    for (const p of pools.splice(0)) await p.end();
  };

  it('runmedic migrate from four processes at once applies each migration once; again it is a no-op', async () => {
    const url = await testCluster().freshDatabase();
    const env = { DATABASE_URL: url };
    const results = await Promise.all([1, 2, 3, 4].map(() => runCli(['migrate', '--json'], { env })));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const reports = results.map((r) => JSON.parse(r.stdout) as { backend: string; applied: number[]; version: number; where: string });
    expect(reports.every((r) => r.backend === 'postgres' && r.version === MIGRATIONS.length)).toBe(true);
    expect(reports.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
    const again = await runCli(['migrate'], { env });
    expect(again.stdout).toMatch(new RegExp(`up to date \\(schema version ${MIGRATIONS.length}\\)`));
    const p = await pool(url);
    expect(Number((await p.query('SELECT COUNT(*) AS n FROM schema_migrations')).rows[0].n)).toBe(MIGRATIONS.length);
    await endPools();
  });

  it('stores content ingested by two processes at once once, and an ingest with a bad run not at all', async () => {
    const url = await testCluster().migratedDatabase();
    const a = new PgRunStore(await pool(url));
    const b = new PgRunStore(await pool(url));
    const batch = (k: number) => Array.from({ length: 6 }, (_, i) => ({ log: runLog(`run-${i}`, [series('loss', Array.from({ length: 50 + k }, (_, j) => 1 / (j + 1)))]), source: source(`same-${i}`) }));
    const [ra, rb] = await Promise.all([a.saveRuns(batch(0)), b.saveRuns(batch(1))]);
    expect(ra.map((r) => r.run.id)).toEqual(rb.map((r) => r.run.id));
    expect(ra.map((r, i) => r.created !== rb[i]!.created)).toEqual(Array(6).fill(true));
    expect((await a.listRuns()).length).toBe(6);
    const broken = { log: runLog('bad', [series('loss', [1])], { meta: { big: 10n } }), source: source('bad') };
    await expect(b.saveRuns([{ log: runLog('fine', [series('loss', [1, 2])]), source: source('fine') }, broken])).rejects.toThrow();
    expect((await a.findRuns('fine')).length).toBe(0);
    await endPools();
  });

  it('keeps every point when two replicas append to one run at once', async () => {
    const url = await testCluster().migratedDatabase();
    const a = new PgRunStore(await pool(url), { chunkPoints: 16 });
    const b = new PgRunStore(await pool(url), { chunkPoints: 16 });
    const [saved] = await a.saveRuns([{ log: runLog('live', []), source: source('live'), status: 'running' }]);
    const id = saved!.run.id;
    const batches = Array.from({ length: 40 }, (_, k) => series('loss', Array.from({ length: 5 }, (_, j) => k * 5 + j), { steps: Array.from({ length: 5 }, (_, j) => k * 5 + j), cadence: 'step' }));
    await Promise.all(batches.map((s, k) => (k % 2 ? a : b).appendPoints(id, [s])));
    const run = (await b.getRun(id))!;
    expect(run.points).toBe(200);
    expect(Array.from(run.series[0]!.values).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await endPools();
  });

  it('appends exactly when two replicas take turns on one run, each writing from what it last wrote', async () => {
    const url = await testCluster().migratedDatabase();
    const a = new PgRunStore(await pool(url), { chunkPoints: 16 });
    const b = new PgRunStore(await pool(url), { chunkPoints: 16 });
    const [saved] = await a.saveRuns([{ log: runLog('turns', []), source: source('turns'), status: 'running' }]);
    const id = saved!.run.id;
    // Runs of 1–4 batches on one replica, then the other: each replica's next append must see the other's points,
    // new series and merged tails, never write over them from its own out-of-date picture of the run.
    const pattern = [1, 3, 2, 4, 1, 1, 2, 3, 4, 1, 2, 2, 3, 1, 4];
    let k = 0;
    const values: number[] = [];
    for (const [turn, n] of pattern.entries()) {
      for (let i = 0; i < n; i++, k++) {
        const steps = Array.from({ length: 1 + (k % 7) }, (_, j) => values.length + j);
        values.push(...steps);
        const extra = k % 5 === 4 ? [series(`aux${k}`, [k], { steps: [k], cadence: 'step' })] : [];
        await (turn % 2 ? b : a).appendPoints(id, [series('loss', steps, { steps, cadence: 'step' }), ...extra]);
      }
    }
    const run = (await a.getRun(id))!;
    expect(Array.from(run.series[0]!.values)).toEqual(values);
    expect(run.series.length).toBe(1 + Math.floor(k / 5));
    expect(run.points).toBe(values.length + Math.floor(k / 5));
    const c = await pools[0]!.query(`SELECT COUNT(*)::int AS n FROM chunks WHERE run_id = $1 AND series_idx = 0 AND n < 16`, [id]);
    expect(c.rows[0].n).toBeLessThanOrEqual(32);
    await endPools();
  });

  it('appends in one statement each while no other process writes the run, and in a transaction after one did', async () => {
    const url = await testCluster().migratedDatabase();
    const counted = await pool(url);
    const statements: string[] = [];
    const query = counted.query.bind(counted) as (...args: unknown[]) => unknown;
    (counted as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const q = args[0] as string | { text: string };
      statements.push(typeof q === 'string' ? q : q.text);
      return query(...args);
    };
    let transactions = 0;
    // pool.query connects with a callback; a transaction (inTransaction) without one.
    const connect = counted.connect.bind(counted) as (...args: unknown[]) => unknown;
    (counted as unknown as { connect: (...args: unknown[]) => unknown }).connect = (...args: unknown[]) => {
      if (!args.length) transactions++;
      return connect(...args);
    };
    const a = new PgRunStore(counted, { chunkPoints: 1000 });
    const b = new PgRunStore(await pool(url), { chunkPoints: 1000 });
    const [saved] = await a.saveRuns([{ log: runLog('one', []), source: source('one'), status: 'running' }]);
    const id = saved!.run.id;
    const batch = (k: number) => [series('loss', [k, k], { steps: [2 * k, 2 * k + 1], cadence: 'step' }), series('acc', [k], { steps: [2 * k], cadence: 'step' })];
    await a.appendPoints(id, batch(0));
    statements.length = 0;
    transactions = 0;
    for (let k = 1; k <= 10; k++) await a.appendPoints(id, batch(k));
    expect([statements.length, transactions]).toEqual([10, 0]);
    await b.appendPoints(id, batch(11));
    statements.length = 0;
    await a.appendPoints(id, batch(12));
    // The one statement matched nothing: then the row lock and the layout read, in a transaction.
    expect([statements.length, transactions]).toEqual([1, 1]);
    statements.length = 0;
    await a.appendPoints(id, batch(13));
    expect([statements.length, transactions]).toEqual([1, 1]);
    expect((await b.getRun(id))!.points).toBe(14 * 3);
    await endPools();
  });

  it('writes the appends of several runs requested in one turn together, each as if alone', async () => {
    const url = await testCluster().migratedDatabase();
    const a = new PgRunStore(await pool(url), { chunkPoints: 16 });
    const b = new PgRunStore(await pool(url), { chunkPoints: 16 });
    const ids: string[] = [];
    for (const name of ['x', 'y', 'z', 'w']) ids.push((await a.saveRuns([{ log: runLog(name, []), source: source(name), status: 'running' }]))[0]!.run.id);
    const pts = (from: number, n: number) => Array.from({ length: n }, (_, j) => from + j);
    // a knows every run's layout after its first append; then b appends to y and deletes z behind its back.
    for (const id of ids) await a.appendPoints(id, [series('loss', pts(0, 3), { steps: pts(0, 3), cadence: 'step' })]);
    await b.appendPoints(ids[1]!, [series('loss', pts(3, 2), { steps: pts(3, 2), cadence: 'step' })]);
    await b.deleteRun(ids[2]!);
    const results = await Promise.allSettled(ids.map((id, i) =>
      a.appendPoints(id, [series('loss', pts(5, 4), { steps: pts(5, 4), cadence: 'step' }), ...(i === 3 ? [series('acc', [0.5], { steps: [5], cadence: 'step' })] : [])]),
    ));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(RunNotFoundError);
    const loss = async (id: string) => Array.from((await b.getRun(id))!.series[0]!.values);
    expect(await loss(ids[0]!)).toEqual([...pts(0, 3), ...pts(5, 4)]);
    expect(await loss(ids[1]!)).toEqual([...pts(0, 3), ...pts(3, 2), ...pts(5, 4)]);
    expect((await b.getRun(ids[3]!))!.series.map((s) => [s.name, s.values.length])).toEqual([['loss', 7], ['acc', 1]]);
    expect((await b.getRun(ids[3]!))!.points).toBe(8);
    await endPools();
  });

  it('lets one holder of a run lock in at a time across processes and within one, many runs at once', async () => {
    const url = await testCluster().migratedDatabase();
    const lockPool = await pool(url);
    const processes = [new AdvisoryLocks(() => lockPool, LOCK.pushRun), new AdvisoryLocks(() => lockPool, LOCK.pushRun)];
    const inside = new Map<string, number>();
    const most = new Map<string, number>();
    const work = async (key: string, k: number) =>
      processes[k % 2]!.with(key, async () => {
        inside.set(key, (inside.get(key) ?? 0) + 1);
        most.set(key, Math.max(most.get(key) ?? 0, inside.get(key)!));
        await new Promise((r) => setTimeout(r, k % 3));
        inside.set(key, inside.get(key)! - 1);
        if (k % 7 === 0) throw new Error(`failed ${k}`);
        return k;
      });
    const keys = ['r1', 'r2', 'r3', 'r4'];
    const results = await Promise.allSettled(Array.from({ length: 80 }, (_, k) => work(keys[k % 4]!, k)));
    expect(results.filter((r) => r.status === 'rejected').length).toBe(12);
    expect([...most.values()]).toEqual([1, 1, 1, 1]);
    // Every lock was given back: another session takes each at once.
    const c = await lockPool.connect();
    const free = (await c.query(`SELECT bool_and(pg_try_advisory_lock($1, hashtext(k))) AS ok FROM unnest($2::text[]) AS k`, [LOCK.pushRun, keys])).rows[0].ok;
    await c.query('SELECT pg_advisory_unlock_all()');
    c.release();
    expect(free).toBe(true);
    for (const p of processes) await p.close();
    await endPools();
  });

  it('pings once for a finding when two replicas record verdicts of one run at the same moment', async () => {
    const url = await testCluster().migratedDatabase();
    const stores = [new PgAlertStore(await pool(url)), new PgAlertStore(await pool(url))];
    await stores[0]!.saveSettings({ guildId: 'g1', channelId: 'c1', roleId: 'r1', events: ['divergence'], updatedAt: 1, updatedBy: null });
    const runs = new PgRunStore(pools[0]!);
    const [saved] = await runs.saveRuns([{ log: runLog('diverging', [series('loss', [1, 2])]), source: source('d') }]);
    const verdict: Verdict = {
      run: { id: saved!.run.id, name: 'diverging', format: 'keras_csv', points: 2, epochs: 2 },
      status: 'fail',
      items: [{ id: 'divergence', area: 'training', status: 'fail', title: 'Divergence', evidence: {}, fix: 'lower the rate', marks: [] }],
    };
    const entries = await Promise.all(Array.from({ length: 8 }, (_, k) => stores[k % 2]!.recordVerdict(verdict, 'diverging', decideAlerts, 100 + k)));
    const pings = entries.flat().filter((e) => e.payload.kind !== 'update');
    expect(pings).toHaveLength(1);
    expect(pings[0]!.payload.ping).toBe(true);
    expect((await stores[1]!.outbox()).length).toBe(1);
    await endPools();
  });

  it('hands each of 20 queued jobs to exactly one of four claiming processes', async () => {
    const url = await testCluster().migratedDatabase();
    const stores = await Promise.all([1, 2, 3, 4].map(async () => new PgJobStore(await pool(url))));
    for (let i = 0; i < 20; i++) await stores[0]!.enqueue({ id: `j${String(i).padStart(2, '0')}`, config: { preset: 'blobs' } });
    const claimed: string[][] = await Promise.all(
      stores.map(async (s) => {
        const mine: string[] = [];
        for (let job = await s.claimNext(); job; job = await s.claimNext()) mine.push(job.id);
        return mine;
      }),
    );
    expect(claimed.flat().sort()).toEqual(Array.from({ length: 20 }, (_, i) => `j${String(i).padStart(2, '0')}`));
    expect(await stores[1]!.countByStatus('running')).toBe(20);
    await endPools();
  });

  it('runs the CLI against DATABASE_URL: ingest, runs, diagnose; a bad URL is one clear line without the password', async () => {
    const url = await testCluster().freshDatabase();
    const env = { DATABASE_URL: url };
    const ingest = await runCli(['ingest', path.join(REPO_ROOT, 'examples', 'keras-healthy.csv'), '--json'], { env });
    expect(ingest.code, ingest.stderr).toBe(0);
    const runs = await runCli(['runs', '--json'], { env });
    expect(JSON.parse(runs.stdout).map((r: { name: string }) => r.name)).toEqual(['keras-healthy']);
    const diagnose = await runCli(['diagnose', 'keras-healthy', '--json'], { env });
    expect(JSON.parse(diagnose.stdout).run.name).toBe('keras-healthy');
    // The same file again is the same run (content hash), as on SQLite.
    const again = await runCli(['ingest', path.join(REPO_ROOT, 'examples', 'keras-healthy.csv'), '--json'], { env });
    expect(JSON.parse(again.stdout)[0].id).toBe(JSON.parse(ingest.stdout)[0].id);

    const port = testCluster().port;
    const bad = await runCli(['runs'], { env: { DATABASE_URL: `postgres://someone:s3cretPassw0rd@127.0.0.1:${port + 1}/nowhere` } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^runmedic: postgres:\/\/someone:\*\*\*@127\.0\.0\.1:\d+\/nowhere: cannot connect to PostgreSQL \(.*\)\n$/);
    expect(bad.stdout + bad.stderr).not.toContain('s3cretPassw0rd');
    const malformed = await runCli(['runs'], { env: { DATABASE_URL: 'postgres://x:p4ss@ bad host/db' } });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('DATABASE_URL: expected a postgres://');
    expect(malformed.stderr).not.toContain('p4ss');
  });
});
