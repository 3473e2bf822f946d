/** The PostgreSQL side of openStores: one pool shared by every store. */
import type { OpenStoresOptions, Stores } from '../open-stores.ts';
import { openPgPool, pgSchemaVersion } from './pg-database.ts';
import { redactSecrets, redactUrl } from '../redact-url.ts';
import { PgAlertStore } from './pg-alert-store.ts';
import { PgDigestStore } from './pg-digest-store.ts';
import { PgJobStore } from './pg-job-store.ts';
import { PgPushStore } from './pg-push-store.ts';
import { PgRunStore } from './pg-run-store.ts';
import { PgThreadReadingStore } from './pg-thread-reading-store.ts';

export async function openPgStores(url: string, o: Pick<OpenStoresOptions, 'now' | 'poolSize'> = {}): Promise<Stores> {
  const pool = await openPgPool(url, { now: o.now, ...(o.poolSize ? { max: o.poolSize } : {}) });
  const runs = new PgRunStore(pool, { ownsPool: true, ...(o.now ? { now: o.now } : {}) });
  return {
    backend: 'postgres',
    where: redactUrl(url),
    runs,
    alerts: new PgAlertStore(pool),
    jobs: new PgJobStore(pool, o.now),
    push: new PgPushStore(pool),
    digests: new PgDigestStore(pool),
    threadReading: new PgThreadReadingStore(pool),
    async health() {
      try {
        const t0 = performance.now();
        const v = await pgSchemaVersion(pool);
        return { ok: true, backend: 'postgres', schemaVersion: v, latencyMs: Math.round((performance.now() - t0) * 100) / 100 };
      } catch (e) {
        return { ok: false, backend: 'postgres', error: `PostgreSQL does not answer (${redactSecrets((e as Error).message, url)})` };
      }
    },
    close: () => runs.close(),
  };
}
