/**
 * Session advisory locks that every process sharing the database takes, for work that must not interleave across
 * them: withAdvisoryLock (wait), tryAdvisoryLock (do not wait), AdvisoryLocks (many keys of one namespace, taken in
 * batches on one session). The namespaces are LOCK in pg-database.ts.
 */
import { TickBatch, type PgClient, type PgPool, type Settled } from './pg-database.ts';

/**
 * Runs `fn` holding a session advisory lock (namespace `ns`, `key` hashed) that every process sharing the database
 * takes for the same key. The lock lives on a connection of `lockPool`, a pool of its own: `fn`'s queries use the main
 * pool, so lock holders can never wait on connections other holders keep. A process that dies releases its locks.
 */
export async function withAdvisoryLock<T>(lockPool: PgPool, ns: number, key: string, fn: () => Promise<T>): Promise<T> {
  const c = await lockPool.connect();
  let broken = false;
  try {
    // Named: taken for every pushed batch, parsed once per connection.
    await c.query({ name: 'runmedic-advisory-lock', text: 'SELECT pg_advisory_lock($1, hashtext($2))', values: [ns, key] });
    try {
      return await fn();
    } finally {
      await c.query({ name: 'runmedic-advisory-unlock', text: 'SELECT pg_advisory_unlock($1, hashtext($2))', values: [ns, key] }).catch(() => (broken = true));
    }
  } finally {
    // A connection whose unlock failed may still hold the lock: closed, not reused.
    c.release(broken);
  }
}

/** As withAdvisoryLock, but without waiting: null (and `fn` not run) when another process holds the lock. */
export async function tryAdvisoryLock<T>(lockPool: PgPool, ns: number, key: string, fn: () => Promise<T>): Promise<T | null> {
  const c = await lockPool.connect();
  let broken = false;
  try {
    const got = (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [ns, key])).rows[0]!.ok;
    if (!got) return null;
    try {
      return await fn();
    } finally {
      await c.query('SELECT pg_advisory_unlock($1, hashtext($2))', [ns, key]).catch(() => (broken = true));
    }
  } finally {
    c.release(broken);
  }
}

/**
 * Session advisory locks of one namespace (the pushed runs' lock) for a process that takes many of them, as
 * withAdvisoryLock gives them: `fn` runs while no other process (nor this one) holds `key`'s lock. Taking and
 * releasing them costs a round trip each per pushed batch, so they are taken with pg_try_advisory_lock and released
 * in batches (TickBatch: the tries and releases of one turn in one statement) on one session of `lockPool` kept for that; a key another process holds is waited for on a
 * connection of its own (withAdvisoryLock). Within this process, holders of one key take turns before asking the
 * database (a session may take a lock it already holds), so the shared session never holds a key twice.
 */
export class AdvisoryLocks {
  private session: Promise<PgClient> | null = null;
  private readonly turns = new Map<string, Promise<void>>();
  /** Locks tried and released in one turn: one statement (never the same key twice: holders of a key take turns). */
  private readonly requests = new TickBatch<{ key: string; lock: boolean }, boolean>((r) => this.onSession(r));

  constructor(
    private readonly lockPool: () => PgPool,
    private readonly ns: number,
  ) {}

  async with<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.turns.get(key);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const turn = (before ?? Promise.resolve()).then(() => mine);
    this.turns.set(key, turn);
    try {
      await before;
      // Not taken here (a session lost meanwhile, another process holding it): waited for on a connection of its own.
      if (!(await this.requests.request({ key, lock: true }).catch(() => false))) return await withAdvisoryLock(this.lockPool(), this.ns, key, fn);
      try {
        return await fn();
      } finally {
        // An unlock that failed means the session is gone, and its locks with it.
        await this.requests.request({ key, lock: false }).catch(() => undefined);
      }
    } finally {
      done();
      if (this.turns.get(key) === turn) this.turns.delete(key);
    }
  }

  async close(): Promise<void> {
    const s = this.session;
    if (!s) return;
    this.session = null;
    // Closed, not returned to the pool: a lock still held there must not outlive the store.
    (await s.catch(() => null))?.release(true);
  }

  private client(): Promise<PgClient> {
    if (!this.session) {
      const s: Promise<PgClient> = this.lockPool().connect().then((c) => {
        // A session that breaks is dropped (its locks went with it); the next request opens another.
        c.on('error', () => this.drop(s, c));
        return c;
      });
      s.catch(() => {
        if (this.session === s) this.session = null;
      });
      this.session = s;
    }
    return this.session;
  }

  private async onSession(requests: { key: string; lock: boolean }[]): Promise<Settled<boolean>[]> {
    const s = this.client();
    const c = await s;
    try {
      const r = await c.query<{ ok: boolean }>({
        name: 'runmedic-advisory-locks',
        text: `SELECT CASE WHEN t.lock THEN pg_try_advisory_lock($1, hashtext(t.k)) ELSE pg_advisory_unlock($1, hashtext(t.k)) END AS ok
               FROM unnest($2::text[], $3::boolean[]) WITH ORDINALITY AS t(k, lock, i) ORDER BY t.i`,
        values: [this.ns, requests.map((r) => r.key), requests.map((r) => r.lock)],
      });
      return r.rows.map((row) => ({ ok: true, value: row.ok }));
    } catch (e) {
      this.drop(s, c);
      throw e;
    }
  }

  private drop(s: Promise<PgClient>, c: PgClient): void {
    if (this.session !== s) return;
    this.session = null;
    c.release(true);
  }
}
