/**
 * Session advisory locks that every process sharing the database takes, for work that must not interleave across
 * them: withAdvisoryLock (wait), tryAdvisoryLock (do not wait), AdvisoryLocks (many keys of one namespace, taken in
 * batches on one session). The namespaces are LOCK in pg-database.ts.
 *
 * A lock lives as long as its session: when the connection holding it is lost (the server restarted, a failover, the
 * backend terminated), the lock is free for other processes at once, while the work under it may still be running
 * here. That work cannot be stopped half way, so it runs to its end, and then the caller is told that it ran without
 * the lock for part of the time (AdvisoryLockLostError) rather than given its result as if nothing happened. The lost
 * connection never reaches the process as an uncaught 'error' (pg-checkout.ts), and is closed, not pooled again.
 */
import { checkOut, type CheckedOut } from './pg-checkout.ts';
import { TickBatch, type PgPool, type Settled } from './pg-database.ts';

/** The connection holding an advisory lock was lost while the work under the lock ran. */
export class AdvisoryLockLostError extends Error {
  constructor(
    readonly key: string,
    cause: Error,
  ) {
    super(`the PostgreSQL connection holding the lock on "${key}" was lost while the work under it ran (${cause.message}): the work finished, but another process may have held the lock too meanwhile`, { cause });
    this.name = 'AdvisoryLockLostError';
  }
}

/** `fn`'s result, or AdvisoryLockLostError when `session` (holding `key`'s lock) was lost before `fn` settled; `fn`'s own error as it is. */
async function holding<T>(session: { readonly lost: Error | undefined }, key: string, fn: () => Promise<T>): Promise<T> {
  const r = await fn();
  if (session.lost) throw new AdvisoryLockLostError(key, session.lost);
  return r;
}

/** Releases `out` after its lock (if `held`) is let go; a session whose unlock failed may still hold it: closed, not reused. */
async function unlockAndRelease(out: CheckedOut, held: boolean, unlock: { name?: string; text: string; values: unknown[] }): Promise<void> {
  // A lost session took its locks with it.
  const ok = !held || out.lost !== undefined || (await out.client.query(unlock).then(() => true, () => false));
  out.release(!ok);
}

/**
 * Runs `fn` holding a session advisory lock (namespace `ns`, `key` hashed) that every process sharing the database
 * takes for the same key. The lock lives on a connection of `lockPool`, a pool of its own: `fn`'s queries use the main
 * pool, so lock holders can never wait on connections other holders keep. A process that dies releases its locks.
 * Rejects with the connection's error when it is lost while waiting (`fn` not run), with AdvisoryLockLostError when it
 * is lost while `fn` runs.
 */
export async function withAdvisoryLock<T>(lockPool: PgPool, ns: number, key: string, fn: () => Promise<T>): Promise<T> {
  const out = await checkOut(lockPool);
  let held = false;
  try {
    // Named: taken for every pushed batch, parsed once per connection.
    await out.client.query({ name: 'runmedic-advisory-lock', text: 'SELECT pg_advisory_lock($1, hashtext($2))', values: [ns, key] });
    held = true;
    return await holding(out, key, fn);
  } finally {
    await unlockAndRelease(out, held, { name: 'runmedic-advisory-unlock', text: 'SELECT pg_advisory_unlock($1, hashtext($2))', values: [ns, key] });
  }
}

/** As withAdvisoryLock, but without waiting: null (and `fn` not run) when another process holds the lock. */
export async function tryAdvisoryLock<T>(lockPool: PgPool, ns: number, key: string, fn: () => Promise<T>): Promise<T | null> {
  const out = await checkOut(lockPool);
  let held = false;
  try {
    held = (await out.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [ns, key])).rows[0]!.ok;
    if (!held) return null;
    return await holding(out, key, fn);
  } finally {
    await unlockAndRelease(out, held, { text: 'SELECT pg_advisory_unlock($1, hashtext($2))', values: [ns, key] });
  }
}

/** The session AdvisoryLocks takes its locks on. */
interface LockSession {
  readonly out: Promise<CheckedOut>;
  /** Why the session ended while in use (its connection lost, a statement failed): the locks taken on it are gone. */
  lost: Error | undefined;
}

/**
 * Session advisory locks of one namespace (the pushed runs' lock) for a process that takes many of them, as
 * withAdvisoryLock gives them: `fn` runs while no other process (nor this one) holds `key`'s lock. Taking and
 * releasing them costs a round trip each per pushed batch, so they are taken with pg_try_advisory_lock and released
 * in batches (TickBatch: the tries and releases of one turn in one statement) on one session of `lockPool` kept for
 * that; a key another process holds is waited for on a connection of its own (withAdvisoryLock). Within this process,
 * holders of one key take turns before asking the database (a session may take a lock it already holds), so the shared
 * session never holds a key twice. A session lost while holders run fails them as withAdvisoryLock does
 * (AdvisoryLockLostError once `fn` settles); the next request opens another.
 */
export class AdvisoryLocks {
  private session: LockSession | null = null;
  private readonly turns = new Map<string, Promise<void>>();
  /**
   * Locks tried and released in one turn: one statement (never the same key twice: holders of a key take turns). A
   * lock request resolves to the session it was taken on (false: not taken).
   */
  private readonly requests = new TickBatch<{ key: string; lock: boolean }, LockSession | false>((r) => this.onSession(r));

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
      const s = await this.requests.request({ key, lock: true }).catch(() => false as const);
      // Not taken here (a session lost meanwhile, another process holding it): waited for on a connection of its own.
      if (!s) return await withAdvisoryLock(this.lockPool(), this.ns, key, fn);
      try {
        return await holding(s, key, fn);
      } finally {
        // A session lost or closed meanwhile took the lock with it; an unlock that fails means the same.
        if (!s.lost && this.session === s) await this.requests.request({ key, lock: false }).catch(() => undefined);
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
    (await s.out.catch(() => null))?.release(true);
  }

  private open(): LockSession {
    if (!this.session) {
      // A session that breaks is dropped (its locks went with it); the next request opens another.
      const s: LockSession = { out: checkOut(this.lockPool(), (e) => this.drop(s, e)), lost: undefined };
      s.out.catch(() => {
        if (this.session === s) this.session = null;
      });
      this.session = s;
    }
    return this.session;
  }

  private async onSession(requests: { key: string; lock: boolean }[]): Promise<Settled<LockSession | false>[]> {
    const s = this.open();
    const { client } = await s.out;
    try {
      const r = await client.query<{ ok: boolean }>({
        name: 'runmedic-advisory-locks',
        text: `SELECT CASE WHEN t.lock THEN pg_try_advisory_lock($1, hashtext(t.k)) ELSE pg_advisory_unlock($1, hashtext(t.k)) END AS ok
               FROM unnest($2::text[], $3::boolean[]) WITH ORDINALITY AS t(k, lock, i) ORDER BY t.i`,
        values: [this.ns, requests.map((r) => r.key), requests.map((r) => r.lock)],
      });
      return r.rows.map((row) => ({ ok: true, value: row.ok ? s : false }));
    } catch (e) {
      this.drop(s, e as Error);
      throw e;
    }
  }

  private drop(s: LockSession, e: Error): void {
    s.lost ??= e;
    if (this.session !== s) return;
    this.session = null;
    void s.out.then((out) => out.release(true), () => undefined);
  }
}
