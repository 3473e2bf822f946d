/** The SQLite side of openStores: one connection shared by every store of the file. */
import { openDatabase } from './database.ts';
import type { OpenStoresOptions, Stores } from './open-stores.ts';
import { SqliteAlertStore } from './sqlite-alert-store.ts';
import { SqliteDigestStore } from './sqlite-digest-store.ts';
import { SqliteJobStore } from './sqlite-job-store.ts';
import { SqlitePushStore } from './sqlite-push-store.ts';
import { SqliteRunStore } from './sqlite-run-store.ts';
import { SqliteThreadReadingStore } from './sqlite-thread-reading-store.ts';
import { SqliteRangeTestStore } from './sqlite-range-test-store.ts';

export function openSqliteStores(file: string, o: Pick<OpenStoresOptions, 'now'> = {}): Stores {
  const db = openDatabase(file, { now: o.now });
  const runs = new SqliteRunStore(db, o.now ? { now: o.now } : {}, true);
  return {
    backend: 'sqlite',
    where: file,
    runs,
    alerts: new SqliteAlertStore(db),
    jobs: new SqliteJobStore(db, o.now),
    push: new SqlitePushStore(db),
    digests: new SqliteDigestStore(db),
    threadReading: new SqliteThreadReadingStore(db),
    rangeTests: new SqliteRangeTestStore(db),
    async health() {
      try {
        const t0 = performance.now();
        const v = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
        return { ok: true, backend: 'sqlite', schemaVersion: v, latencyMs: Math.round((performance.now() - t0) * 100) / 100 };
      } catch (e) {
        return { ok: false, backend: 'sqlite', error: (e as Error).message };
      }
    },
    close: () => runs.close(),
  };
}
