/**
 * The database schema, as an ordered list of migrations applied at open (see openDatabase in database.ts).
 *
 * HOW TO ADD TABLES (alerts, outbox, jobs, tokens …):
 *   1. APPEND one object at the end of MIGRATIONS with the next `version` number (last + 1) and a short `name`.
 *   2. Never edit or reorder a migration that has been committed: databases in the wild already ran it.
 *      To change a table, append a new migration (ALTER TABLE, or create-copy-drop-rename).
 *   3. `up` is SQL (several statements allowed) or a function of the open database for data migrations.
 *      Each migration runs in its own transaction together with its bookkeeping row, so it applies fully or not at all.
 *   4. If two engineers append the same version number, the one merging second renumbers theirs.
 *   5. Keep the SQL for your tables inside src/store/ (e.g. src/store/sqlite-alert-store.ts) behind an interface.
 * A test (test/store/migrations.test.ts) checks versions are 1..n in order and that opening twice is a no-op.
 */
import type { Database } from 'better-sqlite3';
import { ALERT_TABLES_SQL } from './alert-tables-sql.ts';
import { JOB_TABLES_SQL } from './job-tables-sql.ts';
import { PUSH_TABLES_SQL } from './push-tables-sql.ts';
import { DIGEST_TABLES_SQL } from './digest-tables-sql.ts';

export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database) => void);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, series and columnar point chunks',
    up: `
      CREATE TABLE runs (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        format       TEXT NOT NULL,
        file_name    TEXT NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        created_at   INTEGER NOT NULL,          -- ms since the Unix epoch
        updated_at   INTEGER NOT NULL,          -- ms since the Unix epoch
        status       TEXT NOT NULL,
        points       INTEGER NOT NULL,
        epochs       INTEGER,
        notes        TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
        meta         TEXT NOT NULL DEFAULT '{}'  -- JSON object
      );
      CREATE INDEX runs_by_created ON runs (created_at DESC);
      CREATE INDEX runs_by_name ON runs (name);

      CREATE TABLE series (
        run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        idx        INTEGER NOT NULL,             -- order of the series within the run
        key        TEXT NOT NULL,
        split      TEXT NOT NULL,
        name       TEXT NOT NULL,
        direction  TEXT NOT NULL,
        cadence    TEXT NOT NULL,
        points     INTEGER NOT NULL,
        PRIMARY KEY (run_id, idx)
      );

      -- A chunk holds points [seq*CHUNK, seq*CHUNK + n) of one series, one blob per column.
      -- A blob is either n little-endian float64s, or 16 bytes (start, delta) for an arithmetic sequence
      -- (steps and epochs usually are), or NULL for a column that is all NaN (unknown epochs or times).
      CREATE TABLE chunks (
        run_id     TEXT NOT NULL,
        series_idx INTEGER NOT NULL,
        seq        INTEGER NOT NULL,
        n          INTEGER NOT NULL,
        steps      BLOB NOT NULL,
        epochs     BLOB,
        wall_times BLOB,
        vals       BLOB NOT NULL,
        PRIMARY KEY (run_id, series_idx, seq),
        FOREIGN KEY (run_id, series_idx) REFERENCES series (run_id, idx) ON DELETE CASCADE
      );
    `,
  },
  {
    version: 2,
    name: 'alert settings, verdicts, alerted findings, mutes, run threads and the alert outbox',
    up: ALERT_TABLES_SQL,
  },
  {
    version: 3,
    name: 'training-job queue',
    up: JOB_TABLES_SQL,
  },
  {
    version: 4,
    name: 'API tokens and pushed runs (ownership, context, last-seen times)',
    up: PUSH_TABLES_SQL,
  },
  {
    version: 5,
    name: 'digest schedules and claimed digest slots',
    up: DIGEST_TABLES_SQL,
  },
];
