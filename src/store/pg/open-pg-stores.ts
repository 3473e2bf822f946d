/** The PostgreSQL side of openStores: one pool shared by every store. */
import type { OpenStoresOptions, Stores } from '../open-stores.ts';
import { AdvisoryLocks, tryAdvisoryLock } from './pg-advisory-locks.ts';
import { LOCK, openPgPool, pgSchemaVersion } from './pg-database.ts';
import pg from 'pg';
import { redactSecrets, redactUrl } from '../redact-url.ts';
import { PgAlertStore } from './pg-alert-store.ts';
import { PgDigestStore } from './pg-digest-store.ts';
import { PgJobStore } from './pg-job-store.ts';
import { PgPushStore } from './pg-push-store.ts';
import { PgRunStore } from './pg-run-store.ts';
import { PgThreadReadingStore } from './pg-thread-reading-store.ts';
import { PgRangeTestStore } from './pg-range-test-store.ts';

export async function openPgStores(url: string, o: Pick<OpenStoresOptions, 'now' | 'poolSize'> = {}): Promise<Stores> {
  const pool = await openPgPool(url, { now: o.now, ...(o.poolSize ? { max: o.poolSize } : {}) });
  const runs = new PgRunStore(pool, { ...(o.now ? { now: o.now } : {}) });
  // Lock connections come from a pool of their own (see withAdvisoryLock), opened on first use.
  let lockPool: pg.Pool | null = null;
  const locks = (): pg.Pool => {
    if (!lockPool) {
      lockPool = new pg.Pool({ connectionString: url, max: o.poolSize ?? 10, idleTimeoutMillis: 30_000 });
      lockPool.on('error', () => undefined);
    }
    return lockPool;
  };
  // Taken for every pushed batch: in batches on one session (AdvisoryLocks).
  const pushLocks = new AdvisoryLocks(locks, LOCK.pushRun);
  return {
    backend: 'postgres',
    where: redactUrl(url),
    runs,
    alerts: new PgAlertStore(pool),
    jobs: new PgJobStore(pool, o.now),
    push: new PgPushStore(pool),
    digests: new PgDigestStore(pool),
    threadReading: new PgThreadReadingStore(pool),
    rangeTests: new PgRangeTestStore(pool),
    async health() {
      try {
        const t0 = performance.now();
        const v = await pgSchemaVersion(pool);
        return { ok: true, backend: 'postgres', schemaVersion: v, latencyMs: Math.round((performance.now() - t0) * 100) / 100 };
      } catch (e) {
        return { ok: false, backend: 'postgres', error: `PostgreSQL does not answer (${redactSecrets((e as Error).message, url)})` };
      }
    },
    sharedLock: (key, fn) => pushLocks.with(key, fn),
    tryExclusive: (key, fn) => tryAdvisoryLock(locks(), LOCK.outbox, key, fn),
    async close() {
      await runs.close();
      await pushLocks.close();
      await lockPool?.end();
      await pool.end();
    },
  };
}
