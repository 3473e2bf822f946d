/** API tokens and pushed (live) runs (migration 4). Never edit once committed: append a migration instead. */
export const PUSH_TABLES_SQL = `
  -- Bearer tokens for the HTTP API. Only the sha256 of the secret is kept; the secret is shown once.
  CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,           -- public part of the token ('t_…'), safe to show and log
    guild_id      TEXT NOT NULL,              -- every run pushed with it belongs to this guild
    name          TEXT NOT NULL,
    secret_hash   TEXT NOT NULL,              -- sha256 hex of the whole token string
    created_at    INTEGER NOT NULL,           -- ms since the Unix epoch
    created_by    TEXT,
    revoked_at    INTEGER,
    last_used_at  INTEGER
  );
  CREATE INDEX api_tokens_by_guild ON api_tokens (guild_id, created_at);

  -- Runs created over HTTP: who owns them, what is known about them, and when they last sent something.
  CREATE TABLE pushed_runs (
    run_id        TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    guild_id      TEXT NOT NULL,
    token_id      TEXT NOT NULL,
    client_key    TEXT,                       -- the client's own run id, so a retried create returns the same run
    channel_id    TEXT,                       -- where its alerts go; NULL = the guild's alert channel
    context       TEXT NOT NULL DEFAULT '{}', -- JSON DiagnoseContext (config, classes, dataset)
    last_seen_at  INTEGER NOT NULL,           -- ms since the Unix epoch of the last accepted request
    stalled_at    INTEGER,                    -- set when the stall checker marked it; cleared when it sends again
    UNIQUE (guild_id, client_key)
  );
  CREATE INDEX pushed_runs_by_last_seen ON pushed_runs (last_seen_at);
`;
