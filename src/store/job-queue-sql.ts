/**
 * The worker-side statements of the job queue that SQLite and PostgreSQL share word for word (named parameters
 * @id/@now/@max, turned into each driver's placeholders by the store). In an UPDATE both engines read a column's old
 * value on the right-hand side, so each CASE sees the row as it was.
 */

/** Cancel from any process: a queued job ends now, a running one gets a request its worker reads at its heartbeat. */
export const REQUEST_CANCEL_SQL = `
  UPDATE jobs SET
    status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
    finished_at = CASE WHEN status = 'queued' THEN @now ELSE finished_at END,
    cancel_requested_at = CASE WHEN status = 'running' THEN COALESCE(cancel_requested_at, @now) ELSE cancel_requested_at END
  WHERE id = @id AND status IN ('queued', 'running')`;

/**
 * A stale job (its worker stopped sending heartbeats): cancelled when someone asked, else queued again while it had
 * fewer than @max attempts, else interrupted. The caller adds which rows (FROM … WHERE, or WHERE).
 */
export const REAP_SQL = `
  UPDATE jobs SET
    status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled' WHEN attempts < @max THEN 'queued' ELSE 'interrupted' END,
    finished_at = CASE WHEN cancel_requested_at IS NULL AND attempts < @max THEN NULL ELSE @now END,
    started_at = CASE WHEN cancel_requested_at IS NULL AND attempts < @max THEN NULL ELSE started_at END,
    error = CASE WHEN cancel_requested_at IS NULL AND attempts < @max THEN NULL
                 ELSE 'the worker running this job stopped (' || worker_id || ', attempt ' || attempts || ')' END,
    progress = CASE WHEN cancel_requested_at IS NULL AND attempts < @max THEN NULL ELSE progress END,
    worker_id = NULL,
    heartbeat_at = NULL`;
