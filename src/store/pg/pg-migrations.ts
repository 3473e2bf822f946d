/**
 * The PostgreSQL schema: the same migrations as SQLite's (src/store/migrations.ts), same versions, same names, same
 * tables and columns, in PostgreSQL's dialect (BIGINT for ms timestamps, BYTEA for the chunk columns, DOUBLE PRECISION
 * for REAL, BIGSERIAL where SQLite has AUTOINCREMENT or relies on rowid order). A test checks both lists agree.
 * Append only, as in migrations.ts: never edit a committed migration.
 */
import type pg from 'pg';
import { EpochTally } from '../epoch-tally.ts';

export interface PgMigration {
  version: number;
  name: string;
  up: string | ((client: pg.PoolClient) => Promise<void>);
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
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
        created_at   BIGINT NOT NULL,
        updated_at   BIGINT NOT NULL,
        status       TEXT NOT NULL,
        points       INTEGER NOT NULL,
        epochs       DOUBLE PRECISION,          -- a count, but SQLite keeps any number here (absurd logged epochs)
        notes        TEXT NOT NULL DEFAULT '[]',
        meta         TEXT NOT NULL DEFAULT '{}',
        seq          BIGSERIAL NOT NULL          -- insertion order (SQLite's rowid) for ties in created_at
      );
      CREATE INDEX runs_by_created ON runs (created_at DESC, seq DESC);
      CREATE INDEX runs_by_name ON runs (name);
      CREATE INDEX runs_by_id_prefix ON runs (id text_pattern_ops);

      CREATE TABLE series (
        run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        idx        INTEGER NOT NULL,
        key        TEXT NOT NULL,
        split      TEXT NOT NULL,
        name       TEXT NOT NULL,
        direction  TEXT NOT NULL,
        cadence    TEXT NOT NULL,
        points     INTEGER NOT NULL,
        PRIMARY KEY (run_id, idx)
      );

      -- As in SQLite: a chunk holds points [seq*CHUNK, …) of one series, one bytea per column (n float64s LE, or
      -- 16 bytes start+delta for an arithmetic sequence, or NULL for all-NaN).
      CREATE TABLE chunks (
        run_id     TEXT NOT NULL,
        series_idx INTEGER NOT NULL,
        seq        INTEGER NOT NULL,
        n          INTEGER NOT NULL,
        steps      BYTEA NOT NULL,
        epochs     BYTEA,
        wall_times BYTEA,
        vals       BYTEA NOT NULL,
        PRIMARY KEY (run_id, series_idx, seq),
        FOREIGN KEY (run_id, series_idx) REFERENCES series (run_id, idx) ON DELETE CASCADE
      );
      -- The chunk columns are already compact binary: no TOAST compression attempt on every write.
      ALTER TABLE chunks ALTER COLUMN steps SET STORAGE EXTERNAL, ALTER COLUMN epochs SET STORAGE EXTERNAL,
        ALTER COLUMN wall_times SET STORAGE EXTERNAL, ALTER COLUMN vals SET STORAGE EXTERNAL;
    `,
  },
  {
    version: 2,
    name: 'alert settings, verdicts, alerted findings, mutes, run threads and the alert outbox',
    up: `
      CREATE TABLE alert_settings (
        guild_id    TEXT PRIMARY KEY,
        channel_id  TEXT NOT NULL,
        role_id     TEXT,
        events      TEXT NOT NULL,
        updated_at  BIGINT NOT NULL,
        updated_by  TEXT
      );
      CREATE TABLE run_verdicts (
        run_id      TEXT PRIMARY KEY,
        status      TEXT NOT NULL,
        verdict     TEXT NOT NULL,
        updated_at  BIGINT NOT NULL,
        seq         BIGSERIAL NOT NULL
      );
      CREATE TABLE alerted_findings (
        guild_id    TEXT NOT NULL,
        run_key     TEXT NOT NULL,
        finding_id  TEXT NOT NULL,
        run_id      TEXT NOT NULL,
        alerted_at  BIGINT NOT NULL,
        PRIMARY KEY (guild_id, run_key, finding_id)
      );
      CREATE INDEX alerted_findings_by_run ON alerted_findings (run_key);
      CREATE TABLE run_mutes (
        run_key     TEXT PRIMARY KEY,
        muted_at    BIGINT NOT NULL,
        muted_by    TEXT
      );
      CREATE TABLE run_threads (
        guild_id    TEXT NOT NULL,
        run_key     TEXT NOT NULL,
        run_id      TEXT NOT NULL,
        channel_id  TEXT NOT NULL,
        thread_id   TEXT NOT NULL UNIQUE,
        PRIMARY KEY (guild_id, run_key)
      );
      CREATE INDEX run_threads_by_run ON run_threads (run_key);
      CREATE TABLE alert_outbox (
        id               BIGSERIAL PRIMARY KEY,
        guild_id         TEXT NOT NULL,
        run_key          TEXT NOT NULL,
        payload          TEXT NOT NULL,
        created_at       BIGINT NOT NULL,
        next_attempt_at  BIGINT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        last_error       TEXT,
        message_id       TEXT,
        thread_id        TEXT,
        delivered_at     BIGINT
      );
      CREATE INDEX alert_outbox_pending ON alert_outbox (next_attempt_at) WHERE delivered_at IS NULL;
    `,
  },
  {
    version: 3,
    name: 'training-job queue',
    up: `
      CREATE TABLE jobs (
        seq            BIGSERIAL PRIMARY KEY,
        id             TEXT NOT NULL UNIQUE,
        status         TEXT NOT NULL,
        config         TEXT NOT NULL,
        requested_by   TEXT,
        channel_id     TEXT,
        parent_job_id  TEXT REFERENCES jobs (id),
        run_id         TEXT,
        backend        TEXT,
        error          TEXT,
        context        TEXT,
        created_at     BIGINT NOT NULL,
        started_at     BIGINT,
        finished_at    BIGINT
      );
      CREATE INDEX jobs_by_status ON jobs (status, seq);
      CREATE INDEX jobs_by_run ON jobs (run_id);
    `,
  },
  {
    version: 4,
    name: 'API tokens and pushed runs (ownership, context, last-seen times)',
    up: `
      CREATE TABLE api_tokens (
        id            TEXT PRIMARY KEY,
        guild_id      TEXT NOT NULL,
        name          TEXT NOT NULL,
        secret_hash   TEXT NOT NULL,
        created_at    BIGINT NOT NULL,
        created_by    TEXT,
        revoked_at    BIGINT,
        last_used_at  BIGINT
      );
      CREATE INDEX api_tokens_by_guild ON api_tokens (guild_id, created_at);
      CREATE TABLE pushed_runs (
        run_id        TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        guild_id      TEXT NOT NULL,
        token_id      TEXT NOT NULL,
        client_key    TEXT,
        channel_id    TEXT,
        context       TEXT NOT NULL DEFAULT '{}',
        last_seen_at  BIGINT NOT NULL,
        stalled_at    BIGINT,
        UNIQUE (guild_id, client_key)
      );
      CREATE INDEX pushed_runs_by_last_seen ON pushed_runs (last_seen_at);
    `,
  },
  {
    version: 5,
    name: 'digest schedules and claimed digest slots',
    up: `
      CREATE TABLE digest_schedules (
        id          TEXT PRIMARY KEY,
        guild_id    TEXT NOT NULL,
        channel_id  TEXT NOT NULL,
        cron        TEXT NOT NULL,
        timezone    TEXT NOT NULL,
        window_ms   BIGINT NOT NULL,
        created_at  BIGINT NOT NULL,
        created_by  TEXT
      );
      CREATE INDEX digest_schedules_by_guild ON digest_schedules (guild_id, created_at);
      CREATE TABLE digest_slots (
        schedule_id TEXT NOT NULL REFERENCES digest_schedules (id) ON DELETE CASCADE,
        slot_at     BIGINT NOT NULL,
        claimed_by  TEXT NOT NULL,
        claimed_at  BIGINT NOT NULL,
        late        INTEGER NOT NULL DEFAULT 0,
        posted_at   BIGINT,
        message_id  TEXT,
        state       TEXT,
        PRIMARY KEY (schedule_id, slot_at)
      );
    `,
  },
  {
    version: 6,
    name: 'running epoch state of each run (so appending points does not reread the run)',
    up: async (c) => {
      await c.query(`
        ALTER TABLE runs ADD COLUMN epoch_max DOUBLE PRECISION;
        ALTER TABLE runs ADD COLUMN epoch_zero INTEGER NOT NULL DEFAULT 0;
      `);
      await backfillEpochState(c);
    },
  },
  {
    version: 7,
    name: 'where a training job reports (a rerun: the old run\'s thread) and when its end was reported',
    up: `
      ALTER TABLE jobs ADD COLUMN report_channel_id TEXT;
      ALTER TABLE jobs ADD COLUMN reported_at BIGINT;
      UPDATE jobs SET reported_at = COALESCE(finished_at, created_at) WHERE status NOT IN ('queued', 'running');
    `,
  },
  {
    version: 8,
    name: 'the Discord message showing a training job\'s progress (a restarted bot edits it instead of posting another)',
    up: `ALTER TABLE jobs ADD COLUMN progress_message_id TEXT;`,
  },
  {
    version: 9,
    name: 'alert re-arms (one ping per incident: a run\'s next alert pings again only after someone re-armed it)',
    up: `
      CREATE TABLE alert_rearms (
        guild_id  TEXT NOT NULL,
        run_key   TEXT NOT NULL,
        armed_at  BIGINT NOT NULL,
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
        enabled     INTEGER NOT NULL,
        updated_at  BIGINT NOT NULL,
        updated_by  TEXT
      );
    `,
  },
  {
    version: 11,
    name: 'jobs on a durable queue: the worker that claimed a job, its heartbeat, attempts, cancel requests and progress',
    up: `
      ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN worker_id TEXT;
      ALTER TABLE jobs ADD COLUMN heartbeat_at BIGINT;
      ALTER TABLE jobs ADD COLUMN cancel_requested_at BIGINT;
      ALTER TABLE jobs ADD COLUMN progress TEXT;
    `,
  },
  {
    version: 12,
    name: 'learning-rate range test results (lrfind) by model and data, for Rerun with fix in any process',
    up: `
      CREATE TABLE lr_find_results (
        key           TEXT PRIMARY KEY,
        suggested_lr  DOUBLE PRECISION NOT NULL,
        origin        TEXT NOT NULL,
        created_at    BIGINT NOT NULL
      );
      CREATE INDEX lr_find_results_by_age ON lr_find_results (created_at);
    `,
  },
  {
    version: 13,
    name: 'smallest epoch and fractional epochs of each run (a log numbered from epoch 24 says "epochs 24–55", not a count from 0)',
    up: async (c) => {
      await c.query(`
        ALTER TABLE runs ADD COLUMN epoch_min DOUBLE PRECISION;
        ALTER TABLE runs ADD COLUMN epoch_frac INTEGER NOT NULL DEFAULT 0;
      `);
      await backfillEpochBounds(c);
    },
  },
];

/** Migration 6 as in SQLite: the epoch state of every stored run (none on a new database). */
async function backfillEpochState(c: pg.PoolClient): Promise<void> {
  const ids = (await c.query('SELECT id FROM runs')).rows.map((r) => r.id as string);
  for (const id of ids) {
    const { epochMax, epochZero } = (await epochTallyOf(c, id)).stored;
    await c.query('UPDATE runs SET epoch_max = $1, epoch_zero = $2 WHERE id = $3', [epochMax, epochZero, id]);
  }
}

/** Migration 13 as in SQLite: every stored run's epoch bounds, and its count recounted from them. */
async function backfillEpochBounds(c: pg.PoolClient): Promise<void> {
  const ids = (await c.query('SELECT id FROM runs')).rows.map((r) => r.id as string);
  for (const id of ids) {
    const e = (await epochTallyOf(c, id)).stored;
    await c.query('UPDATE runs SET epochs = $1, epoch_min = $2, epoch_max = $3, epoch_frac = $4, epoch_zero = $5 WHERE id = $6', [e.epochs, e.epochMin, e.epochMax, e.epochFrac, e.epochZero, id]);
  }
}

/** A stored run's epoch tally, read from its stored steps and epochs. */
async function epochTallyOf(c: pg.PoolClient, id: string): Promise<EpochTally> {
  const tally = new EpochTally();
  const series = (await c.query('SELECT idx, cadence, points FROM series WHERE run_id = $1 ORDER BY idx', [id])).rows as { idx: number; cadence: 'epoch' | 'step' }[];
  for (const s of series) {
    const chunks = (await c.query('SELECT n, steps, epochs FROM chunks WHERE run_id = $1 AND series_idx = $2 ORDER BY seq', [id, s.idx])).rows as { n: number; steps: Buffer; epochs: Buffer | null }[];
    tally.addStored(s.cadence, chunks);
  }
  return tally;
}
