/**
 * A PostgreSQL connection lost while a client is checked out of a pool (the server restarted, a failover,
 * pg_terminate_backend) is an error of the operation that used it, never of the process: every place that checks a
 * client out (through src/store/pg/pg-checkout.ts) is tested here by terminating its backend from another connection.
 * Each test checks that no uncaught exception was raised (pg emits 'error' on such a client: without a listener, Node
 * kills the process), that the operation rejects saying what happened, that nothing it held is left behind (the lock
 * is free, the transaction rolled back) and that the next operation on the same pool of one connection succeeds (the
 * broken client was closed, not returned to the pool).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { AdvisoryLockLostError, AdvisoryLocks, tryAdvisoryLock, withAdvisoryLock } from '../../src/store/pg/pg-advisory-locks.ts';
import { inTransaction, LOCK, migratePg, openPgPool, type PgPool } from '../../src/store/pg/pg-database.ts';
import type { PgMigration } from '../../src/store/pg/pg-migrations.ts';
import { pgTableIO } from '../../src/store/transfer/pg-table-io.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { testCluster, useStoreBackends } from '../support/store-backends.ts';

useStoreBackends();

describe.runIf(postgresAvailable())('a connection lost while a client is checked out', { timeout: 60_000 }, () => {
  const open: { end(): Promise<void> }[] = [];
  const uncaught: unknown[] = [];
  let onUncaughtSeen = (): void => undefined;
  const onUncaught = (e: unknown) => {
    uncaught.push(e);
    onUncaughtSeen();
  };
  beforeEach(() => {
    uncaught.length = 0;
    process.on('uncaughtException', onUncaught);
  });
  afterEach(async () => {
    process.off('uncaughtException', onUncaught);
    for (const o of open.splice(0).reverse()) await o.end();
    // The process lives on: nothing reached process.on('uncaughtException').
    expect(uncaught).toEqual([]);
  });

  /** A pool of one connection (as openPgPool makes them: idle clients' errors are listened for). */
  const onePool = async (url: string): Promise<PgPool> => {
    const p = await openPgPool(url, { migrate: false, max: 1 });
    open.push(p);
    return p;
  };
  /** A connection of the test's own to `url`'s database (advisory locks are per database). */
  const other = async (url: string): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    open.push(c);
    return c;
  };
  /** The client `pool` hands out next (to the code under test). */
  const nextClient = (pool: PgPool) => new Promise<pg.PoolClient>((resolve) => pool.once('acquire', resolve));
  /**
   * Terminates the backend of `client`, waits until it has exited (its session locks are then free) and until the
   * client has seen its connection end (its 'error' emitted).
   */
  const cut = async (a: pg.Client, client: pg.PoolClient) => {
    const pid = (client as unknown as { processID: number }).processID;
    const ended = new Promise((resolve) => client.once('end', resolve));
    // Unhandled, the client's 'error' is thrown before its 'end': then it is the uncaught exception that ends the wait.
    const crashed = new Promise<void>((resolve) => (onUncaughtSeen = resolve));
    expect((await a.query('SELECT pg_terminate_backend($1, 10000) AS ok', [pid])).rows[0].ok).toBe(true);
    await Promise.race([ended, crashed]);
  };
  /** The backends of this database holding (or, `granted` false, waiting for) an advisory lock of namespace `ns`. */
  const lockers = async (a: pg.Client, ns: number, granted = true): Promise<number[]> =>
    (await a.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND granted = $2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [ns, granted],
    )).rows.map((r) => r.pid);
  /** Whether another session can take `ns`/`key` now (and lets it go). */
  const lockFree = async (a: pg.Client, ns: number, key: string): Promise<boolean> => {
    const got = (await a.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [ns, key])).rows[0].ok as boolean;
    if (got) await a.query('SELECT pg_advisory_unlock($1, hashtext($2))', [ns, key]);
    return got;
  };
  const NS = 990_001;

  describe('withAdvisoryLock', () => {
    it('rejects once the work is done when the lock connection was lost meanwhile; the lock is free, the next one is taken', async () => {
      const url = await testCluster().freshDatabase();
      const lockPool = await onePool(url);
      const a = await other(url);
      const client = nextClient(lockPool);
      let finished = false;
      const held = withAdvisoryLock(lockPool, NS, 'run-1', async () => {
        expect(await lockers(a, NS)).toEqual([(await client as unknown as { processID: number }).processID]);
        await cut(a, await client);
        finished = true;
        return 'done';
      });
      const e = await held.then(() => null, (x: unknown) => x as Error);
      // The work ran to its end (it cannot be stopped half way), but without the lock for part of it: the caller is told.
      expect(finished).toBe(true);
      expect(e).toBeInstanceOf(AdvisoryLockLostError);
      expect(e!.message).toMatch(/the PostgreSQL connection holding the lock on "run-1" was lost while the work under it ran \(terminating connection due to administrator command\).*another process may have held the lock too/);
      expect(await lockFree(a, NS, 'run-1')).toBe(true);
      expect(await withAdvisoryLock(lockPool, NS, 'run-1', async () => (await lockers(a, NS)).length)).toBe(1);
      expect(await lockers(a, NS)).toEqual([]);
    });

    it('rejects with the connection error when it is lost while waiting for the lock, without running the work', async () => {
      const url = await testCluster().freshDatabase();
      const lockPool = await onePool(url);
      const a = await other(url);
      await a.query('SELECT pg_advisory_lock($1, hashtext($2))', [NS, 'run-2']);
      const client = nextClient(lockPool);
      let ran = false;
      const waiting = withAdvisoryLock(lockPool, NS, 'run-2', async () => (ran = true));
      waiting.catch(() => undefined);
      for (let i = 0; !(await lockers(a, NS, false)).length; i++) {
        if (i > 200) throw new Error('withAdvisoryLock never waited for the lock');
        await new Promise((r) => setTimeout(r, 25));
      }
      await cut(a, await client);
      await expect(waiting).rejects.toThrow('terminating connection due to administrator command');
      expect(ran).toBe(false);
      await a.query('SELECT pg_advisory_unlock($1, hashtext($2))', [NS, 'run-2']);
      expect(await withAdvisoryLock(lockPool, NS, 'run-2', async () => 'next')).toBe('next');
    });

    it("rejects with the work's own error when the work failed too", async () => {
      const url = await testCluster().freshDatabase();
      const lockPool = await onePool(url);
      const a = await other(url);
      const client = nextClient(lockPool);
      const held = withAdvisoryLock(lockPool, NS, 'run-3', async () => {
        await cut(a, await client);
        throw new Error('the work failed');
      });
      await expect(held).rejects.toThrow('the work failed');
      expect(await withAdvisoryLock(lockPool, NS, 'run-3', async () => 'next')).toBe('next');
    });
  });

  it('tryAdvisoryLock rejects once the work is done when the lock connection was lost meanwhile; the lock is free, the next one is taken', async () => {
    const url = await testCluster().freshDatabase();
    const lockPool = await onePool(url);
    const a = await other(url);
    const client = nextClient(lockPool);
    const held = tryAdvisoryLock(lockPool, NS, 'alert-outbox', async () => {
      await cut(a, await client);
      return true;
    });
    await expect(held).rejects.toThrow(AdvisoryLockLostError);
    expect(await lockFree(a, NS, 'alert-outbox')).toBe(true);
    expect(await tryAdvisoryLock(lockPool, NS, 'alert-outbox', async () => 'next')).toBe('next');
    expect(await lockers(a, NS)).toEqual([]);
  });

  it('AdvisoryLocks rejects once the work is done when its shared session was lost meanwhile; the next holder gets a new session', async () => {
    const url = await testCluster().freshDatabase();
    const lockPool = await onePool(url);
    const a = await other(url);
    const locks = new AdvisoryLocks(() => lockPool, NS);
    open.push({ end: () => locks.close() });
    const session = nextClient(lockPool);
    expect(await locks.with('run-4', async () => 'first')).toBe('first');
    // The session stays checked out between holders: the second holder's lock is taken on it.
    const held = locks.with('run-4', async () => {
      await cut(a, await session);
      return 'second';
    });
    await expect(held).rejects.toThrow(AdvisoryLockLostError);
    expect(await lockFree(a, NS, 'run-4')).toBe(true);
    expect(await locks.with('run-4', async () => (await lockers(a, NS)).length)).toBe(1);
  });

  it('inTransaction rejects when the connection is lost between statements; nothing is kept and the pool connects again', async () => {
    const url = await testCluster().freshDatabase();
    const pool = await onePool(url);
    const a = await other(url);
    await pool.query('CREATE TABLE t (i INTEGER)');
    const tx = inTransaction(pool, async (c) => {
      await c.query('INSERT INTO t VALUES (1)');
      await cut(a, c);
      await c.query('INSERT INTO t VALUES (2)');
    });
    await expect(tx).rejects.toThrow(/not queryable/);
    expect((await pool.query('SELECT COUNT(*)::int AS n FROM t')).rows[0].n).toBe(0);
    await inTransaction(pool, (c) => c.query('INSERT INTO t VALUES (3)'));
    expect((await pool.query('SELECT COUNT(*)::int AS n FROM t')).rows[0].n).toBe(1);
  });

  it('migratePg rejects when the connection is lost during a migration; the migration lock is free and the next run applies it', async () => {
    const url = await testCluster().freshDatabase();
    const pool = await onePool(url);
    const a = await other(url);
    let cutDuring = true;
    const migrations: PgMigration[] = [
      { version: 1, name: 'one', up: 'CREATE TABLE one (i INTEGER)' },
      {
        version: 2,
        name: 'two',
        up: async (c) => {
          await c.query('CREATE TABLE two (i INTEGER)');
          if (cutDuring) await cut(a, c);
          await c.query('INSERT INTO two VALUES (1)');
        },
      },
    ];
    await expect(migratePg(pool, migrations)).rejects.toThrow(/not queryable/);
    expect((await a.query('SELECT pg_try_advisory_lock($1) AS ok', [LOCK.migrate])).rows[0].ok).toBe(true);
    await a.query('SELECT pg_advisory_unlock($1)', [LOCK.migrate]);
    cutDuring = false;
    expect(await migratePg(pool, migrations)).toEqual([2]);
    expect((await pool.query('SELECT COUNT(*)::int AS n FROM two')).rows[0].n).toBe(1);
  });

  describe('runmedic export and import (pgTableIO)', () => {
    const reading = (g: string) => ({ guild_id: g, enabled: 1, updated_at: 1, updated_by: null });

    it('an import whose connection is lost rejects and keeps nothing; the next import goes in', async () => {
      const url = await testCluster().migratedDatabase();
      const pool = await onePool(url);
      const a = await other(url);
      const io = pgTableIO(pool);
      const client = nextClient(pool);
      const importing = io.write(async (insert) => {
        await insert('thread_reading', [reading('g1'), reading('g2')]);
        await cut(a, await client);
        await insert('thread_reading', [reading('g3')]);
      });
      await expect(importing).rejects.toThrow(/not queryable/);
      expect(await io.rowCount('thread_reading')).toBe(0);
      await io.write((insert) => insert('thread_reading', [reading('g1')]));
      expect(await io.rowCount('thread_reading')).toBe(1);
    });

    it('an export whose connection is lost rejects, and one stopped early leaves no transaction open on the pooled connection', async () => {
      const url = await testCluster().migratedDatabase();
      const pool = await onePool(url);
      const a = await other(url);
      const io = pgTableIO(pool);
      await pool.query(`INSERT INTO thread_reading SELECT 'g' || i, 1, 1, NULL FROM generate_series(1, 600) AS i`);
      const client = nextClient(pool);
      const batches: number[] = [];
      const exporting = (async () => {
        for await (const b of io.read('thread_reading')) {
          batches.push(b.length);
          if (batches.length === 1) await cut(a, await client);
        }
      })();
      await expect(exporting).rejects.toThrow(/not queryable/);
      expect(batches).toEqual([256]);
      let rows = 0;
      for await (const b of io.read('thread_reading')) rows += b.length;
      expect(rows).toBe(600);
      // A reader that stops after the first batch (its file could not be written): the read-only transaction is not
      // left open on the pool's one connection, where the next statement would run inside it.
      for await (const b of io.read('thread_reading')) if (b.length) break;
      await pool.query(`INSERT INTO thread_reading VALUES ('after', 1, 1, NULL)`);
      expect(await io.rowCount('thread_reading')).toBe(601);
    });
  });
});
