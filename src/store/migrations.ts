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
import { EpochTally } from './epoch-tally.ts';

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
  {
    version: 6,
    name: 'running epoch state of each run (so appending points does not reread the run)',
    up: (db) => {
      db.exec(`
        ALTER TABLE runs ADD COLUMN epoch_max REAL;                          -- largest epoch seen; NULL: none
        ALTER TABLE runs ADD COLUMN epoch_zero INTEGER NOT NULL DEFAULT 0;   -- 1 when epochs count from 0
      `);
      backfillEpochState(db);
    },
  },
  {
    version: 7,
    name: 'where a training job reports (a rerun: the old run\'s thread) and when its end was reported',
    // Jobs that ended before this migration were reported (or never will be) by the code of their time: marking them
    // reported keeps a restart from posting old results again. Rows still queued or running are reported as usual.
    up: `
      ALTER TABLE jobs ADD COLUMN report_channel_id TEXT;   -- channel or thread for progress and results; NULL: channel_id
      ALTER TABLE jobs ADD COLUMN reported_at INTEGER;      -- ms since the Unix epoch the end was claimed for reporting
      UPDATE jobs SET reported_at = COALESCE(finished_at, created_at) WHERE status NOT IN ('queued', 'running');
    `,
  },
  {
    version: 8,
    name: 'the Discord message showing a training job\'s progress (a restarted bot edits it instead of posting another)',
    up: `
      ALTER TABLE jobs ADD COLUMN progress_message_id TEXT;   -- in the job's report channel; NULL: none posted yet
    `,
  },
  {
    version: 9,
    name: 'alert re-arms (one ping per incident: a run\'s next alert pings again only after someone re-armed it)',
    up: `
      CREATE TABLE alert_rearms (
        guild_id  TEXT NOT NULL,
        run_key   TEXT NOT NULL,
        armed_at  INTEGER NOT NULL,             -- ms since the Unix epoch
        armed_by  TEXT,
        PRIMARY KEY (guild_id, run_key)
      );
    `,
  },
  {
    version: 10,
    name: 'servers that let runmedic read logs posted in run threads (/alerts set read-threads)',
    up: `
      CREATE TABLE thread_reading (
        guild_id    TEXT PRIMARY KEY,
        enabled     INTEGER NOT NULL,            -- 1: code blocks and log files posted in a run's thread update the run
        updated_at  INTEGER NOT NULL,            -- ms since the Unix epoch
        updated_by  TEXT
      );
    `,
  },
  {
    version: 11,
    name: 'jobs on a durable queue: the worker that claimed a job, its heartbeat, attempts, cancel requests and progress',
    // Read by `runmedic worker` processes (on SQLite: on the same machine as the file; PostgreSQL: anywhere).
    up: `
      ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;  -- times a worker claimed the job
      ALTER TABLE jobs ADD COLUMN worker_id TEXT;                       -- the worker running it
      ALTER TABLE jobs ADD COLUMN heartbeat_at INTEGER;                 -- ms since the Unix epoch, while it runs
      ALTER TABLE jobs ADD COLUMN cancel_requested_at INTEGER;          -- someone pressed Cancel (any process)
      ALTER TABLE jobs ADD COLUMN progress TEXT;                        -- JSON: the latest progress event
    `,
  },
  {
    version: 12,
    name: 'learning-rate range test results (lrfind) by model and data, for Rerun with fix in any process',
    // Written by /lrfind and by the range tests a rerun runs; read by Rerun with fix (src/app/lr-find-results.ts).
    up: `
      CREATE TABLE lr_find_results (
        key           TEXT PRIMARY KEY,          -- what was tested: the files' sha256, label column, optimizer (or a preset's settings)
        suggested_lr  REAL NOT NULL,
        origin        TEXT NOT NULL,             -- 'lrfind' (someone ran /lrfind) or 'rerun' (run for a Rerun with fix)
        created_at    INTEGER NOT NULL           -- ms since the Unix epoch
      );
      CREATE INDEX lr_find_results_by_age ON lr_find_results (created_at);
    `,
  },
  {
    version: 13,
    name: 'smallest epoch and fractional epochs of each run (a log numbered from epoch 24 says "epochs 24–55", not a count from 0)',
    up: (db) => {
      db.exec(`
        ALTER TABLE runs ADD COLUMN epoch_min REAL;                          -- smallest epoch seen; NULL: none
        ALTER TABLE runs ADD COLUMN epoch_frac INTEGER NOT NULL DEFAULT 0;   -- 1 when any epoch is fractional (progress, not an index)
      `);
      backfillEpochBounds(db);
    },
  },
];

/** Migration 6: the epoch state of every stored run, from its stored steps and epochs (as countEpochs reads them). */
function backfillEpochState(db: Database): void {
  const update = db.prepare('UPDATE runs SET epoch_max = ?, epoch_zero = ? WHERE id = ?');
  const tallyOf = epochTallyReader(db);
  for (const id of db.prepare('SELECT id FROM runs').pluck().all() as string[]) {
    const { epochMax, epochZero } = tallyOf(id).stored;
    update.run(epochMax, epochZero, id);
  }
}

/** Migration 13: every stored run's epoch bounds, and its count recounted from them (a log starting at epoch 24 said 1999). */
function backfillEpochBounds(db: Database): void {
  const update = db.prepare('UPDATE runs SET epochs = ?, epoch_min = ?, epoch_max = ?, epoch_frac = ?, epoch_zero = ? WHERE id = ?');
  const tallyOf = epochTallyReader(db);
  for (const id of db.prepare('SELECT id FROM runs').pluck().all() as string[]) {
    const e = tallyOf(id).stored;
    update.run(e.epochs, e.epochMin, e.epochMax, e.epochFrac, e.epochZero, id);
  }
}

/** A stored run's epoch tally, read from its stored steps and epochs. */
function epochTallyReader(db: Database): (runId: string) => EpochTally {
  const seriesOf = db.prepare('SELECT idx, cadence, points FROM series WHERE run_id = ? ORDER BY idx');
  const chunksOf = db.prepare('SELECT n, steps, epochs FROM chunks WHERE run_id = ? AND series_idx = ? ORDER BY seq');
  return (id) => {
    const tally = new EpochTally();
    for (const s of seriesOf.all(id) as { idx: number; cadence: 'epoch' | 'step'; points: number }[]) {
      tally.addStored(s.cadence, chunksOf.all(id, s.idx) as { n: number; steps: Buffer; epochs: Buffer | null }[]);
    }
    return tally;
  };
}
