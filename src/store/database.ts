import BetterSqlite3, { type Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS, type Migration } from './migrations.ts';
import { StoreOpenError } from './store-error.ts';

export type { Database } from 'better-sqlite3';

export interface OpenDatabaseOptions {
  migrations?: readonly Migration[];
  /** ms since the Unix epoch, recorded with each applied migration. */
  now?: () => number;
  /** Told which migrations this open applied (`runmedic migrate` reports them). */
  onMigrated?: (applied: number[]) => void;
}

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas the stores rely on and applies pending migrations.
 * `:memory:` works for tests.
 */
export function openDatabase(file: string, opts: OpenDatabaseOptions = {}): Database {
  let db: Database;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new BetterSqlite3(file);
  } catch (e) {
    throw new StoreOpenError(file, `cannot open the database (${(e as Error).message})`);
  }
  try {
    // Large pages suit the chunk blobs (tens of KB); only takes effect when the file is new.
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL is durable against application crashes; an OS crash may lose the last commit, never corrupt.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Reading chunk blobs through a memory map is about twice as fast as through read() calls.
    db.pragma('mmap_size = 1073741824');
    const applied = migrate(db, opts.migrations ?? MIGRATIONS, opts.now ?? Date.now);
    opts.onMigrated?.(applied);
  } catch (e) {
    db.close();
    if (e instanceof StoreOpenError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new StoreOpenError(file, 'is not a runmedic database (not SQLite)');
    throw e;
  }
  return db;
}

/** Applies the migrations newer than the database's version, each in its own immediate transaction. Returns the versions applied. */
export function migrate(db: Database, migrations: readonly Migration[], now: () => number = Date.now): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = () => (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
  const known = migrations.length;
  if (current() > known) {
    throw new StoreOpenError(db.name, `database schema version ${current()} is newer than this runmedic understands (${known}); upgrade runmedic`);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    const step = db.transaction(() => {
      // Re-checked inside the write lock: another process may have migrated meanwhile.
      if (current() >= m.version) return;
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now());
      applied.push(m.version);
    });
    if (current() < m.version) step.immediate();
  }
  return applied;
}
