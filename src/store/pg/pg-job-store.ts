/**
 * JobStore on PostgreSQL (the jobs table of migrations 3, 7, 8 and 11). A job is claimed with
 * `FOR UPDATE SKIP LOCKED`: any number of processes (the bot, `runmedic worker` on other machines) take the oldest
 * queued job without waiting for each other, and no job is taken twice.
 */
import type { HeartbeatAnswer, JobPatch, JobRecord, JobStatus, JobStore, NewJob, ReapedJobs } from '../job-store.ts';
import { JOB_COLUMNS, JOB_PATCH_COLUMNS, toJobRecord, type JobRow } from '../job-rows.ts';
import { JobNotFoundError, MAX_JOB_ATTEMPTS } from '../job-store.ts';
import { REAP_SQL, REQUEST_CANCEL_SQL } from '../job-queue-sql.ts';
import { inTransaction, LOCK, type PgPool } from './pg-database.ts';

export class PgJobStore implements JobStore {
  constructor(
    protected readonly pool: PgPool,
    protected readonly now: () => number = Date.now,
  ) {}

  async enqueue(job: NewJob): Promise<JobRecord> {
    return this.insert(job, 'queued');
  }

  async recordRunning(job: NewJob): Promise<JobRecord> {
    return this.insert(job, 'running');
  }

  private async insert(job: NewJob, status: 'queued' | 'running', q: Pick<PgPool, 'query'> = this.pool): Promise<JobRecord> {
    const t = this.now();
    const r = await q.query<JobRow>(
      `INSERT INTO jobs (id, status, config, requested_by, channel_id, parent_job_id, created_at, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${JOB_COLUMNS}`,
      [job.id, status, JSON.stringify(job.config), job.requestedBy ?? null, job.channelId ?? null, job.parentJobId ?? null, t, status === 'running' ? t : null],
    );
    return toJobRecord(r.rows[0]!);
  }

  async enqueueRerun(job: NewJob & { parentJobId: string }): Promise<{ job: JobRecord; created: boolean }> {
    return inTransaction(this.pool, async (c) => {
      // Two clicks on two bot shards at once: the second waits here and then finds the first one's rerun.
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK.jobRerun, job.parentJobId]);
      const live = await this.liveRerun(job.parentJobId, c);
      if (live) return { job: live, created: false };
      return { job: await this.insert(job, 'queued', c), created: true };
    });
  }

  async liveRerunOf(parentJobId: string): Promise<JobRecord | null> {
    return this.liveRerun(parentJobId, this.pool);
  }

  private async liveRerun(parentJobId: string, q: Pick<PgPool, 'query'>): Promise<JobRecord | null> {
    const r = await q.query<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM jobs WHERE parent_job_id = $1 AND status IN ('queued', 'running', 'finished') ORDER BY seq DESC LIMIT 1`,
      [parentJobId],
    );
    return r.rows[0] ? toJobRecord(r.rows[0]) : null;
  }

  async claimNext(): Promise<JobRecord | null> {
    return this.claim(null);
  }

  /** Marks the oldest queued job running for `workerId` (null: this process, in-process jobs) and returns it. */
  protected async claim(workerId: string | null): Promise<JobRecord | null> {
    const t = this.now();
    const r = await this.pool.query<JobRow>(
      `UPDATE jobs SET status = 'running', started_at = $1, attempts = attempts + 1, worker_id = $2, heartbeat_at = $1
       WHERE seq = (SELECT seq FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING ${JOB_COLUMNS}`,
      [t, workerId],
    );
    return r.rows[0] ? toJobRecord(r.rows[0]) : null;
  }

  async update(id: string, patch: JobPatch): Promise<JobRecord> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    for (const [k, v] of Object.entries(patch) as [keyof JobPatch, unknown][]) {
      if (v === undefined) continue;
      values.push(k === 'context' && v !== null ? JSON.stringify(v) : v);
      sets.push(`${JOB_PATCH_COLUMNS[k]} = $${values.length}`);
    }
    const r = sets.length
      ? await this.pool.query<JobRow>(`UPDATE jobs SET ${sets.join(', ')} WHERE id = $1 RETURNING ${JOB_COLUMNS}`, values)
      : await this.pool.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, values);
    if (!r.rows[0]) throw new JobNotFoundError(id);
    return toJobRecord(r.rows[0]);
  }

  async get(id: string): Promise<JobRecord | null> {
    const r = await this.pool.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id]);
    return r.rows[0] ? toJobRecord(r.rows[0]) : null;
  }

  async getByRunId(runId: string): Promise<JobRecord | null> {
    const r = await this.pool.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE run_id = $1 ORDER BY seq DESC LIMIT 1`, [runId]);
    return r.rows[0] ? toJobRecord(r.rows[0]) : null;
  }

  async list(opts: { limit?: number; statuses?: readonly JobStatus[] } = {}): Promise<JobRecord[]> {
    const limit = opts.limit ?? 20;
    const r = opts.statuses
      ? await this.pool.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE status = ANY($1::text[]) ORDER BY seq DESC LIMIT $2`, [opts.statuses, limit])
      : await this.pool.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs ORDER BY seq DESC LIMIT $1`, [limit]);
    return r.rows.map(toJobRecord);
  }

  async countByStatus(status: JobStatus): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM jobs WHERE status = $1', [status])).rows[0]!.n;
  }

  /**
   * Jobs this kind of process ran in-process (no worker id) and left running. Jobs claimed by `runmedic worker`
   * processes are not touched: their heartbeats say whether they live (see the worker's reaper).
   */
  async markInterrupted(): Promise<JobRecord[]> {
    const r = await this.pool.query<JobRow>(
      `UPDATE jobs SET status = 'interrupted', finished_at = $1, error = 'the process running this job stopped'
       WHERE status = 'running' AND worker_id IS NULL RETURNING ${JOB_COLUMNS}`,
      [this.now()],
    );
    return r.rows.map(toJobRecord).sort((a, b) => a.createdAt - b.createdAt);
  }

  async claimReport(id: string): Promise<boolean> {
    const r = await this.pool.query(`UPDATE jobs SET reported_at = $1 WHERE id = $2 AND reported_at IS NULL AND status NOT IN ('queued', 'running')`, [this.now(), id]);
    return r.rowCount === 1;
  }

  async listUnreported(): Promise<JobRecord[]> {
    const r = await this.pool.query<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM jobs WHERE reported_at IS NULL AND status NOT IN ('queued', 'running') AND COALESCE(report_channel_id, channel_id) IS NOT NULL ORDER BY seq`,
    );
    return r.rows.map(toJobRecord);
  }

  async claimFor(workerId: string): Promise<JobRecord | null> {
    return this.claim(workerId);
  }

  async heartbeat(id: string, workerId: string, progress?: unknown): Promise<HeartbeatAnswer> {
    const r = await this.pool.query<{ cancel_requested_at: number | null }>(
      `UPDATE jobs SET heartbeat_at = $3, progress = COALESCE($4::text, progress) WHERE id = $1 AND worker_id = $2 AND status = 'running' RETURNING cancel_requested_at`,
      [id, workerId, this.now(), progress === undefined ? null : JSON.stringify(progress)],
    );
    const row = r.rows[0];
    return { owned: row !== undefined, cancelRequested: row !== undefined && row.cancel_requested_at !== null };
  }

  async finishOwned(id: string, workerId: string, patch: JobPatch): Promise<JobRecord | null> {
    const sets: string[] = [];
    const values: unknown[] = [id, workerId];
    for (const [k, v] of Object.entries(patch) as [keyof JobPatch, unknown][]) {
      if (v === undefined) continue;
      values.push(k === 'context' && v !== null ? JSON.stringify(v) : v);
      sets.push(`${JOB_PATCH_COLUMNS[k]} = $${values.length}`);
    }
    const r = await this.pool.query<JobRow>(
      `UPDATE jobs SET ${[...sets, 'heartbeat_at = NULL'].join(', ')} WHERE id = $1 AND worker_id = $2 AND status = 'running' RETURNING ${JOB_COLUMNS}`,
      values,
    );
    return r.rows[0] ? toJobRecord(r.rows[0]) : null;
  }

  async requestCancel(id: string): Promise<JobRecord | null> {
    const r = await this.pool.query<JobRow>(`${REQUEST_CANCEL_SQL.replaceAll('@id', '$1').replaceAll('@now', '$2::bigint')} RETURNING ${JOB_COLUMNS}`, [id, this.now()]);
    return r.rows[0] ? toJobRecord(r.rows[0]) : null;
  }

  async reapStale(staleBefore: number): Promise<ReapedJobs> {
    // SKIP LOCKED: two reapers (every worker runs one) never wait for each other, and each stale job is reaped once.
    const r = await this.pool.query<JobRow>(
      `WITH stale AS (
         SELECT seq FROM jobs WHERE status = 'running' AND worker_id IS NOT NULL AND heartbeat_at < $1 FOR UPDATE SKIP LOCKED
       )
       ${REAP_SQL.replaceAll('@max', '$2::int').replaceAll('@now', '$3::bigint')} FROM stale WHERE jobs.seq = stale.seq
       RETURNING ${JOB_COLUMNS}`,
      [staleBefore, MAX_JOB_ATTEMPTS, this.now()],
    );
    const jobs = r.rows.map(toJobRecord);
    return { retried: jobs.filter((j) => j.status === 'queued'), interrupted: jobs.filter((j) => j.status !== 'queued') };
  }
}
