/** The tables of SqliteAlertStore (migration 2 in migrations.ts). Never edit once committed: append a migration instead. */
export const ALERT_TABLES_SQL = `
  CREATE TABLE alert_settings (
    guild_id    TEXT PRIMARY KEY,
    channel_id  TEXT NOT NULL,
    role_id     TEXT,
    events      TEXT NOT NULL,               -- JSON array of verdict item ids
    updated_at  INTEGER NOT NULL,            -- ms since the Unix epoch
    updated_by  TEXT
  );
  -- The latest verdict per run, saved in the same transaction as the pings it caused.
  CREATE TABLE run_verdicts (
    run_id      TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    verdict     TEXT NOT NULL,               -- the verdict JSON contract
    updated_at  INTEGER NOT NULL
  );
  -- One ping per run (by name) per finding per guild.
  CREATE TABLE alerted_findings (
    guild_id    TEXT NOT NULL,
    run_key     TEXT NOT NULL,
    finding_id  TEXT NOT NULL,
    run_id      TEXT NOT NULL,               -- the run record that first showed the finding
    alerted_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, run_key, finding_id)
  );
  CREATE TABLE run_mutes (
    run_key     TEXT PRIMARY KEY,
    muted_at    INTEGER NOT NULL,
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
  CREATE TABLE alert_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id         TEXT NOT NULL,
    run_key          TEXT NOT NULL,
    payload          TEXT NOT NULL,          -- JSON AlertPayload
    created_at       INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    message_id       TEXT,                   -- set once Discord accepted the message
    thread_id        TEXT,
    delivered_at     INTEGER
  );
  CREATE INDEX alert_outbox_pending ON alert_outbox (next_attempt_at) WHERE delivered_at IS NULL;
`;
