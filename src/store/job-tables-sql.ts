/** The training-job queue (migration 3). `seq` gives the FIFO order; JSON columns hold config and context. */
export const JOB_TABLES_SQL = `
  CREATE TABLE jobs (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL,           -- queued | running | finished | failed | cancelled | crashed | interrupted
    config         TEXT NOT NULL,           -- JSON
    requested_by   TEXT,
    channel_id     TEXT,
    parent_job_id  TEXT REFERENCES jobs (id),
    run_id         TEXT,
    backend        TEXT,
    error          TEXT,
    context        TEXT,                    -- JSON DiagnoseContext, once finished
    created_at     INTEGER NOT NULL,        -- ms since the Unix epoch
    started_at     INTEGER,
    finished_at    INTEGER
  );
  CREATE INDEX jobs_by_status ON jobs (status, seq);
  CREATE INDEX jobs_by_run ON jobs (run_id);
`;
