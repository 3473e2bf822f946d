/** JobStore on SQLite (the jobs table of migration 3). */
import type { Database, Statement } from 'better-sqlite3';
import type { HeartbeatAnswer, JobPatch, JobRecord, JobStatus, JobStore, NewJob, ReapedJobs } from './job-store.ts';
import { JobNotFoundError, MAX_JOB_ATTEMPTS } from './job-store.ts';
import { REAP_SQL, REQUEST_CANCEL_SQL } from './job-queue-sql.ts';
import { JOB_COLUMNS, JOB_PATCH_COLUMNS, toJobRecord, type JobRow } from './job-rows.ts';

export class SqliteJobStore implements JobStore {
  private readonly st: Record<
    | 'insert' | 'insertRunning' | 'liveRerun' | 'byId' | 'byRun' | 'oldestQueued' | 'start' | 'list' | 'listAll' | 'count' | 'running' | 'interrupt'
    | 'claimReport' | 'unreported' | 'heartbeat' | 'cancel' | 'stale' | 'reap',
    Statement
  >;

  /** `db` must be migrated (openDatabase does it). */
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.st = {
      insert: p(`INSERT INTO jobs (id, status, config, requested_by, channel_id, parent_job_id, created_at) VALUES (@id, 'queued', @config, @requested_by, @channel_id, @parent_job_id, @created_at)`),
      insertRunning: p(`INSERT INTO jobs (id, status, config, requested_by, channel_id, parent_job_id, created_at, started_at) VALUES (@id, 'running', @config, @requested_by, @channel_id, @parent_job_id, @created_at, @created_at)`),
      liveRerun: p(`SELECT ${JOB_COLUMNS} FROM jobs WHERE parent_job_id = ? AND status IN ('queued', 'running', 'finished') ORDER BY seq DESC LIMIT 1`),
      byId: p(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`),
      byRun: p(`SELECT ${JOB_COLUMNS} FROM jobs WHERE run_id = ? ORDER BY seq DESC LIMIT 1`),
      oldestQueued: p(`SELECT ${JOB_COLUMNS} FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT 1`),
      start: p(`UPDATE jobs SET status = 'running', started_at = @now, attempts = attempts + 1, worker_id = @worker, heartbeat_at = @now WHERE id = @id AND status = 'queued'`),
      list: p(`SELECT ${JOB_COLUMNS} FROM jobs WHERE status IN (SELECT value FROM json_each(?)) ORDER BY seq DESC LIMIT ?`),
      listAll: p(`SELECT ${JOB_COLUMNS} FROM jobs ORDER BY seq DESC LIMIT ?`),
      count: p(`SELECT COUNT(*) AS n FROM jobs WHERE status = ?`),
      // Jobs of `runmedic worker` processes are left to their heartbeats (reapStale): a restarted bot does not end them.
      running: p(`SELECT ${JOB_COLUMNS} FROM jobs WHERE status = 'running' AND worker_id IS NULL ORDER BY seq`),
      interrupt: p(`UPDATE jobs SET status = 'interrupted', finished_at = ?, error = 'the process running this job stopped' WHERE status = 'running' AND worker_id IS NULL`),
      claimReport: p(`UPDATE jobs SET reported_at = ? WHERE id = ? AND reported_at IS NULL AND status NOT IN ('queued', 'running')`),
      unreported: p(
        `SELECT ${JOB_COLUMNS} FROM jobs WHERE reported_at IS NULL AND status NOT IN ('queued', 'running') AND COALESCE(report_channel_id, channel_id) IS NOT NULL ORDER BY seq`,
      ),
      heartbeat: p(`UPDATE jobs SET heartbeat_at = @now, progress = COALESCE(@progress, progress) WHERE id = @id AND worker_id = @worker AND status = 'running' RETURNING cancel_requested_at`),
      cancel: p(`${REQUEST_CANCEL_SQL} RETURNING ${JOB_COLUMNS}`),
      stale: p(`SELECT seq FROM jobs WHERE status = 'running' AND worker_id IS NOT NULL AND heartbeat_at < ?`),
      reap: p(`${REAP_SQL} WHERE seq = @seq RETURNING ${JOB_COLUMNS}`),
    };
  }

  async enqueue(job: NewJob): Promise<JobRecord> {
    this.st.insert.run(this.row(job));
    return this.mustGet(job.id);
  }

  async recordRunning(job: NewJob): Promise<JobRecord> {
    this.st.insertRunning.run(this.row(job));
    return this.mustGet(job.id);
  }

  async enqueueRerun(job: NewJob & { parentJobId: string }): Promise<{ job: JobRecord; created: boolean }> {
    // One immediate transaction: no other connection can enqueue the same rerun between the check and the insert.
    return this.db.transaction(() => {
      const live = this.st.liveRerun.get(job.parentJobId) as JobRow | undefined;
      if (live) return { job: toJobRecord(live), created: false };
      this.st.insert.run(this.row(job));
      return { job: this.mustGet(job.id), created: true };
    }).immediate();
  }

  async liveRerunOf(parentJobId: string): Promise<JobRecord | null> {
    const row = this.st.liveRerun.get(parentJobId) as JobRow | undefined;
    return row ? toJobRecord(row) : null;
  }

  private row(job: NewJob) {
    return {
      id: job.id,
      config: JSON.stringify(job.config),
      requested_by: job.requestedBy ?? null,
      channel_id: job.channelId ?? null,
      parent_job_id: job.parentJobId ?? null,
      created_at: this.now(),
    };
  }

  async claimNext(): Promise<JobRecord | null> {
    return this.claim(null);
  }

  async claimFor(workerId: string): Promise<JobRecord | null> {
    return this.claim(workerId);
  }

  private claim(worker: string | null): JobRecord | null {
    return this.db.transaction(() => {
      const row = this.st.oldestQueued.get() as JobRow | undefined;
      if (!row) return null;
      this.st.start.run({ now: this.now(), worker, id: row.id });
      return toJobRecord(this.st.byId.get(row.id) as JobRow);
    }).immediate();
  }

  async heartbeat(id: string, workerId: string, progress?: unknown): Promise<HeartbeatAnswer> {
    const row = this.st.heartbeat.get({ id, worker: workerId, now: this.now(), progress: progress === undefined ? null : JSON.stringify(progress) }) as
      | { cancel_requested_at: number | null }
      | undefined;
    return { owned: row !== undefined, cancelRequested: row !== undefined && row.cancel_requested_at !== null };
  }

  async finishOwned(id: string, workerId: string, patch: JobPatch): Promise<JobRecord | null> {
    return this.db.transaction(() => {
      const row = this.st.byId.get(id) as JobRow | undefined;
      if (!row || row.status !== 'running' || row.worker_id !== workerId) return null;
      this.db.prepare('UPDATE jobs SET heartbeat_at = NULL WHERE id = ?').run(id);
      return this.applyPatch(id, patch);
    }).immediate();
  }

  async requestCancel(id: string): Promise<JobRecord | null> {
    const row = this.st.cancel.get({ id, now: this.now() }) as JobRow | undefined;
    return row ? toJobRecord(row) : null;
  }

  async reapStale(staleBefore: number): Promise<ReapedJobs> {
    const jobs = this.db.transaction(() =>
      (this.st.stale.all(staleBefore) as { seq: number }[]).map((r) => toJobRecord(this.st.reap.get({ seq: r.seq, max: MAX_JOB_ATTEMPTS, now: this.now() }) as JobRow)),
    ).immediate();
    return { retried: jobs.filter((j) => j.status === 'queued'), interrupted: jobs.filter((j) => j.status !== 'queued') };
  }

  async update(id: string, patch: JobPatch): Promise<JobRecord> {
    return this.applyPatch(id, patch);
  }

  private applyPatch(id: string, patch: JobPatch): JobRecord {
    const sets: string[] = [];
    const values: Record<string, unknown> = { id };
    for (const [k, v] of Object.entries(patch) as [keyof JobPatch, unknown][]) {
      if (v === undefined) continue;
      const column = JOB_PATCH_COLUMNS[k];
      sets.push(`${column} = @${column}`);
      values[column] = k === 'context' && v !== null ? JSON.stringify(v) : v;
    }
    if (sets.length) {
      const r = this.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = @id`).run(values);
      if (r.changes === 0) throw new JobNotFoundError(id);
    }
    return this.mustGet(id);
  }

  async get(id: string): Promise<JobRecord | null> {
    const row = this.st.byId.get(id) as JobRow | undefined;
    return row ? toJobRecord(row) : null;
  }

  async getByRunId(runId: string): Promise<JobRecord | null> {
    const row = this.st.byRun.get(runId) as JobRow | undefined;
    return row ? toJobRecord(row) : null;
  }

  async list(opts: { limit?: number; statuses?: readonly JobStatus[] } = {}): Promise<JobRecord[]> {
    const limit = opts.limit ?? 20;
    const rows = (opts.statuses ? this.st.list.all(JSON.stringify(opts.statuses), limit) : this.st.listAll.all(limit)) as JobRow[];
    return rows.map(toJobRecord);
  }

  async countByStatus(status: JobStatus): Promise<number> {
    return (this.st.count.get(status) as { n: number }).n;
  }

  async markInterrupted(): Promise<JobRecord[]> {
    return this.db.transaction(() => {
      const rows = this.st.running.all() as JobRow[];
      this.st.interrupt.run(this.now());
      return rows.map((r) => toJobRecord(this.st.byId.get(r.id) as JobRow));
    }).immediate();
  }

  async claimReport(id: string): Promise<boolean> {
    return this.st.claimReport.run(this.now(), id).changes === 1;
  }

  async listUnreported(): Promise<JobRecord[]> {
    return (this.st.unreported.all() as JobRow[]).map(toJobRecord);
  }

  private mustGet(id: string): JobRecord {
    const row = this.st.byId.get(id) as JobRow | undefined;
    if (!row) throw new JobNotFoundError(id);
    return toJobRecord(row);
  }
}
