/**
 * The store tests run once per backend: SQLite (in memory) and PostgreSQL (the run's throwaway cluster, see
 * pg-cluster.ts; a fresh migrated database per store). `storeBackends()` lists PostgreSQL only when its binaries are
 * installed (a notice says so otherwise); call `useStoreBackends()` at the top of a test file to get the cluster and
 * drop the file's databases at its end.
 */
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import type { Stores } from '../../src/store/open-stores.ts';
import { openSqliteStores } from '../../src/store/open-sqlite-stores.ts';
import { openPgPool, type PgPool } from '../../src/store/pg/pg-database.ts';
import { PgRunStore } from '../../src/store/pg/pg-run-store.ts';
import { SqliteRunStore, type SqliteRunStoreDeps } from '../../src/store/sqlite-run-store.ts';
import type { RunStore } from '../../src/store/run-store.ts';
import { postgresAvailable, startTestPostgres, type TestPostgres } from './pg-cluster.ts';

export type BackendName = 'sqlite' | 'postgres';

export interface RunStoreHandle {
  store: RunStore;
  /** Rows in a table. */
  count(table: string): Promise<number>;
  /** One row of a read-only query (SQL common to both dialects). */
  row(sql: string): Promise<Record<string, unknown>>;
}

export interface StoreBackend {
  name: BackendName;
  runStore(deps?: SqliteRunStoreDeps): Promise<RunStoreHandle>;
  /** Every store of one fresh database. */
  stores(now?: () => number): Promise<Stores>;
}

let cluster: TestPostgres | null = null;
const cleanups: (() => Promise<void> | void)[] = [];

const sqlite: StoreBackend = {
  name: 'sqlite',
  async runStore(deps = {}) {
    const db = openDatabase(':memory:');
    const store = new SqliteRunStore(db, deps, true);
    cleanups.push(() => store.close());
    return {
      store,
      count: async (t) => (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n,
      row: async (sql) => db.prepare(sql).get() as Record<string, unknown>,
    };
  },
  async stores(now) {
    const s = openSqliteStores(':memory:', now ? { now } : {});
    cleanups.push(() => s.close());
    return s;
  },
};

const postgres: StoreBackend = {
  name: 'postgres',
  async runStore(deps = {}) {
    const pool: PgPool = await openPgPool(await cluster!.migratedDatabase(), { migrate: false, max: 4 });
    const store = new PgRunStore(pool, { ...deps, ownsPool: true });
    cleanups.push(() => store.close());
    return {
      store,
      count: async (t) => Number((await pool.query(`SELECT COUNT(*) AS n FROM ${t}`)).rows[0].n),
      row: async (sql) => (await pool.query(sql)).rows[0] as Record<string, unknown>,
    };
  },
  async stores(now) {
    const { openPgStores } = await import('../../src/store/pg/open-pg-stores.ts');
    const s = await openPgStores(await cluster!.migratedDatabase(), { ...(now ? { now } : {}), poolSize: 4 });
    cleanups.push(() => s.close());
    return s;
  },
};

/** The backends this machine can test: SQLite always, PostgreSQL when installed. */
export function storeBackends(): StoreBackend[] {
  return postgresAvailable() ? [sqlite, postgres] : [sqlite];
}

/** Gets the PostgreSQL cluster for this file (when available) and closes every store after each test. */
export function useStoreBackends(): void {
  beforeAll(async () => {
    // The run's shared cluster (pg-global-setup.ts); a file run without that setup starts its own.
    if (postgresAvailable()) cluster = await startTestPostgres(inject('runmedicPgDir'));
  }, 60_000);
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  afterAll(async () => {
    await cluster?.stop();
    cluster = null;
  }, 30_000);
}

/** The running cluster of this file (PostgreSQL tests only). */
export function testCluster(): TestPostgres {
  if (!cluster) throw new Error('no PostgreSQL cluster: call useStoreBackends() and check storeBackends()');
  return cluster;
}
