/**
 * Opens every store of one database: the SQLite file (default) or PostgreSQL when DATABASE_URL is a postgres:// URL.
 * The composition roots (main.ts, the CLI, serve, worker) open stores here only; nothing outside src/store/ knows which
 * backend it talks to. Modules load on demand, so a SQLite command never loads `pg` and the other way round.
 */
import type { AlertStore } from '../alerts/alert-store.ts';
import type { PushStore } from '../app/push-store.ts';
import type { ThreadReadingStore } from '../app/thread-reading.ts';
import type { RangeTestStore } from '../app/range-test-store.ts';
import type { DigestStore } from './digest-store.ts';
import type { JobStore } from './job-store.ts';
import type { RunStore } from './run-store.ts';

export type StoreBackend = 'sqlite' | 'postgres';

export interface DatabaseHealth {
  ok: boolean;
  backend: StoreBackend;
  /** The applied schema version (migrations), when the database answered. */
  schemaVersion?: number;
  /** Round trip of a trivial query, ms. */
  latencyMs?: number;
  /** Why it is not ok (no secrets: URLs are redacted). */
  error?: string;
}

export interface Stores {
  backend: StoreBackend;
  /** Where the data lives, safe to print: the file path, or the URL without its password. */
  where: string;
  runs: RunStore;
  alerts: AlertStore;
  jobs: JobStore;
  push: PushStore;
  digests: DigestStore;
  threadReading: ThreadReadingStore;
  /** Learning-rate range tests already run (lrfind), for Rerun with fix in any process. */
  rangeTests: RangeTestStore;
  health(): Promise<DatabaseHealth>;
  /**
   * Present when several processes share the database (PostgreSQL): a lock on a key that every process takes, for
   * work that must not interleave across them (the batches of one pushed run). SQLite has one writer at a time anyway.
   */
  sharedLock?: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** As sharedLock without waiting: null when another process holds it (one outbox dispatcher at a time). */
  tryExclusive?: <T>(key: string, fn: () => Promise<T>) => Promise<T | null>;
  close(): Promise<void>;
}

export interface OpenStoresOptions {
  /** DATABASE_URL: a postgres:// URL selects PostgreSQL. */
  databaseUrl?: string | undefined;
  /** The SQLite file when databaseUrl is unset. */
  dbPath: string;
  now?: () => number;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

export function backendOf(o: Pick<OpenStoresOptions, 'databaseUrl'>): StoreBackend {
  return o.databaseUrl && /^postgres(ql)?:\/\//i.test(o.databaseUrl.trim()) ? 'postgres' : 'sqlite';
}

/** Opens and migrates the database. Throws StoreOpenError (a message naming the file or redacted URL) when it cannot. */
export async function openStores(o: OpenStoresOptions): Promise<Stores> {
  if (backendOf(o) === 'postgres') return (await import('./pg/open-pg-stores.ts')).openPgStores(o.databaseUrl!.trim(), o);
  return (await import('./open-sqlite-stores.ts')).openSqliteStores(o.dbPath, o);
}

export interface MigrationReport {
  backend: StoreBackend;
  where: string;
  /** Versions applied now (empty: the database was up to date). */
  applied: number[];
  /** The schema version after migrating. */
  version: number;
}

/**
 * Applies pending migrations and reports what was done: `runmedic migrate`, before starting several processes.
 * Safe to run from several processes at once (SQLite: one write transaction at a time; PostgreSQL: an advisory lock),
 * and a no-op when the database is current.
 */
export async function migrateDatabase(o: OpenStoresOptions): Promise<MigrationReport> {
  if (backendOf(o) === 'postgres') {
    const url = o.databaseUrl!.trim();
    const [{ openPgPool, migratePg, pgSchemaVersion }, { redactUrl }] = await Promise.all([import('./pg/pg-database.ts'), import('./redact-url.ts')]);
    const pool = await openPgPool(url, { migrate: false, max: 1 });
    try {
      const { StoreOpenError } = await import('./store-error.ts');
      const applied = await migratePg(pool, undefined, o.now).catch((e: unknown) => {
        if (e instanceof StoreOpenError) throw e;
        throw new StoreOpenError(redactUrl(url), `cannot migrate the database (${(e as Error).message})`);
      });
      return { backend: 'postgres', where: redactUrl(url), applied, version: await pgSchemaVersion(pool) };
    } finally {
      await pool.end();
    }
  }
  const { openDatabase } = await import('./database.ts');
  let applied: number[] = [];
  const db = openDatabase(o.dbPath, { now: o.now, onMigrated: (a) => (applied = a) });
  try {
    const version = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    return { backend: 'sqlite', where: o.dbPath, applied, version };
  } finally {
    db.close();
  }
}
