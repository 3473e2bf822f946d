/** Digest schedules and their claimed slots (migration 5). Never edit once committed: append a migration instead. */
export const DIGEST_TABLES_SQL = `
  CREATE TABLE digest_schedules (
    id          TEXT PRIMARY KEY,            -- 'd_' + short random, shown in /digest list
    guild_id    TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    cron        TEXT NOT NULL,               -- 5-field cron expression, validated before saving
    timezone    TEXT NOT NULL,               -- IANA zone the cron fields are read in
    window_ms   INTEGER NOT NULL,            -- how far back a digest looks
    created_at  INTEGER NOT NULL,            -- ms since the Unix epoch
    created_by  TEXT
  );
  CREATE INDEX digest_schedules_by_guild ON digest_schedules (guild_id, created_at);

  -- One row per slot a process claimed: the primary key is what stops two processes posting the same digest.
  CREATE TABLE digest_slots (
    schedule_id TEXT NOT NULL REFERENCES digest_schedules (id) ON DELETE CASCADE,
    slot_at     INTEGER NOT NULL,            -- ms since the Unix epoch of the cron slot
    claimed_by  TEXT NOT NULL,               -- the claiming process, for the logs
    claimed_at  INTEGER NOT NULL,
    late        INTEGER NOT NULL DEFAULT 0,  -- 1 when posted at start for a slot missed while down
    posted_at   INTEGER,
    message_id  TEXT,
    state       TEXT,                        -- JSON DigestState: each run's status, for "what changed" next time
    PRIMARY KEY (schedule_id, slot_at)
  );
`;
