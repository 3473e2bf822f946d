/**
 * PostgreSQL as the shared store (DATABASE_URL=postgres://…): a node-postgres pool, the migrations in order, and the
 * helpers every PostgreSQL store uses. Several processes (bot shards, API replicas, workers) share one database;
 * anything that must happen once is claimed here with row locks, SKIP LOCKED or advisory locks, never in memory.
 */
import pg from 'pg';
import { StoreOpenError } from '../store-error.ts';
import { withClient } from './pg-checkout.ts';
import { redactSecrets, redactUrl } from '../redact-url.ts';
import { PG_MIGRATIONS, type PgMigration } from './pg-migrations.ts';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;
/** Anything that runs a query: the pool (one statement, autocommit) or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** Advisory-lock keys (the first argument of the two-key form): one namespace per kind of claim. */
export const LOCK = { migrate: 7_340_001, outbox: 7_340_002, runAlerts: 7_340_003, pushRun: 7_340_004, jobReaper: 7_340_005, jobRerun: 7_340_006, digestSlot: 7_340_007 } as const;

// int8 (BIGINT: ms timestamps, counters) as a JS number: every value runmedic stores is far below 2^53.
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 && format !== 'binary') return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url.trim());
}

export { redactUrl } from '../redact-url.ts';

export interface OpenPgOptions {
  /** Pool size (default 10): appends of different runs and the job/alert claims run in parallel. */
  max?: number;
  migrations?: readonly PgMigration[];
  now?: () => number;
  /** Skip migrating (the caller ran `runmedic migrate`). */
  migrate?: boolean;
}

/** Connects, checks the server answers and applies pending migrations (safe when several processes start at once). */
export async function openPgPool(url: string, opts: OpenPgOptions = {}): Promise<PgPool> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  // An idle client whose server went away must not crash the process; the next query reports the problem.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new StoreOpenError(redactUrl(url), `cannot connect to PostgreSQL (${redactSecrets((e as Error).message, url)})`);
  }
  if (opts.migrate !== false) {
    try {
      await migratePg(pool, opts.migrations ?? PG_MIGRATIONS, opts.now ?? Date.now);
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (e instanceof StoreOpenError) throw e;
      throw new StoreOpenError(redactUrl(url), `cannot migrate the database (${redactSecrets((e as Error).message, url)})`);
    }
  }
  return pool;
}

/**
 * Applies the migrations newer than the database's version, each in its own transaction with its bookkeeping row.
 * A session advisory lock makes concurrent starters wait for each other: the second finds nothing left to do.
 * Returns the versions applied.
 */
export async function migratePg(pool: PgPool, migrations: readonly PgMigration[] = PG_MIGRATIONS, now: () => number = Date.now): Promise<number[]> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
  const applied: number[] = [];
  // A connection lost part way fails the migration in progress (rolled back by the server, applied again next time).
  await withClient(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK.migrate]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      const current = async () => Number((await client.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0].v);
      const at = await current();
      if (at > migrations.length) {
        throw new StoreOpenError('PostgreSQL', `database schema version ${at} is newer than this runmedic understands (${migrations.length}); upgrade runmedic`);
      }
      for (const m of migrations) {
        if (m.version <= at) continue;
        await client.query('BEGIN');
        try {
          if (typeof m.up === 'string') await client.query(m.up);
          else await m.up(client);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now()]);
          await client.query('COMMIT');
          applied.push(m.version);
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK.migrate]).catch(() => undefined);
    }
  });
  return applied;
}

/**
 * Runs `fn` in one transaction on one pooled client; rolled back when it throws. `mode` follows BEGIN (e.g.
 * 'ISOLATION LEVEL REPEATABLE READ READ ONLY' for a consistent multi-statement read). `first`: statements without
 * parameters (values through client.escapeLiteral) sent with the BEGIN, in the same round trip.
 */
export async function inTransaction<T>(pool: PgPool, fn: (c: PgClient) => Promise<T>, mode = '', first?: (c: PgClient) => string): Promise<T> {
  // A connection lost meanwhile fails the statement in flight (or the next one); the client is then closed.
  return withClient(pool, async (client, out) => {
    await client.query(`${mode ? `BEGIN ${mode}` : 'BEGIN'}${first ? `; ${first(client)}` : ''}`);
    try {
      const r = await fn(client);
      await client.query('COMMIT');
      return r;
    } catch (e) {
      if (!out.lost) await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}

/** The database's schema version (0: empty), for /healthz and `runmedic migrate`. */
export async function pgSchemaVersion(q: Queryable): Promise<number> {
  const exists = await q.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS e`);
  if (!exists.rows[0].e) return 0;
  return Number((await q.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0].v);
}

/** One request's outcome in a batch. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

/**
 * Gathers the requests made during one turn of the event loop and sends them together (`run`, once the turn's I/O
 * callbacks have run: setImmediate), as SqliteRunStore's group commit does. Under load many requests arrive in one
 * turn, and a round trip costs runmedic and PostgreSQL far more than the few rows it carries; alone, a request waits
 * for nothing but the end of the turn. Each request still reads or writes the database after it was made.
 */
export class TickBatch<I, O> {
  private pending: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];

  constructor(private readonly run: (inputs: I[]) => Promise<Settled<O>[]>) {}

  request(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const group = this.pending;
    this.pending = [];
    this.run(group.map((g) => g.input)).then(
      (outcomes) =>
        group.forEach((g, i) => {
          const o = outcomes[i]!;
          if (o.ok) g.resolve(o.value);
          else g.reject(o.error);
        }),
      (e) => group.forEach((g) => g.reject(e)),
    );
  }
}
