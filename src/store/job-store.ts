/**
 * The persisted training-job queue. Everything outside src/store/ talks to this interface; SQL stays in
 * sqlite-job-store.ts. Jobs are taken in FIFO order of enqueueing.
 */
import type { DiagnoseContext } from '../domain/context.ts';

export type JobStatus = 'queued' | 'running' | 'finished' | 'failed' | 'cancelled' | 'crashed' | 'interrupted';
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['queued', 'running'];

export interface JobRecord {
  id: string;
  status: JobStatus;
  /** The job's config as validated JSON (see src/jobs/job-config.ts). */
  config: unknown;
  /** Who asked (a Discord user id, 'cli'), and where to report (a channel id), when known. */
  requestedBy: string | null;
  channelId: string | null;
  /** Where progress and results go when not `channelId` (a rerun reports in the old run's thread). */
  reportChannelId: string | null;
  /** The job this one reruns with a fix. */
  parentJobId: string | null;
  runId: string | null;
  backend: string | null;
  error: string | null;
  /** The diagnosis context measured by the job (dataset stats, instrumentation), once finished. */
  context: DiagnoseContext | null;
  createdAt: number; // ms since the Unix epoch
  startedAt: number | null;
  finishedAt: number | null;
  /** When the job's end was claimed for reporting (see claimReport); null while nobody has reported it. */
  reportedAt: number | null;
  /** The message in the report channel that shows the job's progress, once posted (a restarted bot edits it). */
  progressMessageId: string | null;
  /** Times a process claimed the job (a retry after a worker died is the second). */
  attempts: number;
  /** The `runmedic worker` running it (null: run in the process that claimed it, or not running). */
  workerId: string | null;
  /** The worker's last sign of life, ms since the Unix epoch. */
  heartbeatAt: number | null;
  /** Someone pressed Cancel while another process runs it: the worker stops the job at its next heartbeat. */
  cancelRequestedAt: number | null;
  /** The latest progress event a worker reported (a JobEvent as JSON), for faces in other processes. */
  progress: unknown;
}

/** How a worker's heartbeat went: whether the job is still its own, and whether someone asked to cancel it. */
export interface HeartbeatAnswer {
  owned: boolean;
  cancelRequested: boolean;
}

/** What reapStale did with the jobs of workers that stopped sending heartbeats. */
export interface ReapedJobs {
  /** Queued again (their first attempt): another worker takes them. */
  retried: JobRecord[];
  /** Out of attempts: reported interrupted. */
  interrupted: JobRecord[];
}

/** A job is tried at most this many times when the workers running it die. */
export const MAX_JOB_ATTEMPTS = 2;

/** The channel or thread a job's progress and results go to; null for jobs nobody asked for in Discord (the CLI). */
export function jobReportTarget(job: JobRecord): string | null {
  return job.reportChannelId ?? job.channelId;
}

export interface NewJob {
  id: string;
  config: unknown;
  requestedBy?: string | null;
  channelId?: string | null;
  parentJobId?: string | null;
}

export interface JobPatch {
  status?: JobStatus;
  runId?: string | null;
  backend?: string | null;
  error?: string | null;
  context?: DiagnoseContext | null;
  finishedAt?: number | null;
  reportChannelId?: string | null;
  progressMessageId?: string | null;
}

export interface JobStore {
  enqueue(job: NewJob): Promise<JobRecord>;
  /** Records a job run outside the queue (the CLI's `train`) as already running, so its run and context are findable. */
  recordRunning(job: NewJob): Promise<JobRecord>;
  /**
   * Enqueues a rerun of `job.parentJobId` unless one is already queued, running or finished (then that one is
   * returned, created false): a "Rerun with fix" clicked twice, even at the same moment, starts one job.
   */
  enqueueRerun(job: NewJob & { parentJobId: string }): Promise<{ job: JobRecord; created: boolean }>;
  /** The newest rerun of a job that is queued, running or finished; null when none (or only failed ones). */
  liveRerunOf(parentJobId: string): Promise<JobRecord | null>;
  /** Atomically marks the oldest queued job running and returns it; null when none is queued. */
  claimNext(): Promise<JobRecord | null>;
  update(id: string, patch: JobPatch): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | null>;
  /** The job whose run this is, for a rerun from a verdict. */
  getByRunId(runId: string): Promise<JobRecord | null>;
  /** Newest first; `statuses` filters. */
  list(opts?: { limit?: number; statuses?: readonly JobStatus[] }): Promise<JobRecord[]>;
  countByStatus(status: JobStatus): Promise<number>;
  /** Jobs left 'running' by a process that stopped: marked 'interrupted' and returned, for reporting on restart. */
  markInterrupted(): Promise<JobRecord[]>;
  /**
   * Claims the report of an ended job: true for the one caller that gets it, false when it was claimed before or the
   * job has not ended. Results are posted at most once, across restarts and concurrent watchers.
   */
  claimReport(id: string): Promise<boolean>;
  /** Ended jobs with a Discord target whose end nobody has reported yet, oldest first. */
  listUnreported(): Promise<JobRecord[]>;

  // The durable queue's worker side (`runmedic worker`, migration 11).
  /** As claimNext, for a worker: the job records the worker and its first heartbeat. */
  claimFor(workerId: string): Promise<JobRecord | null>;
  /** A running worker's sign of life, with its latest progress event (undefined: unchanged). */
  heartbeat(id: string, workerId: string, progress?: unknown): Promise<HeartbeatAnswer>;
  /** Records a worker's result, only while the job is still that worker's; null when it was not (reaped, cancelled). */
  finishOwned(id: string, workerId: string, patch: JobPatch): Promise<JobRecord | null>;
  /**
   * Cancel from any process: a queued job is cancelled at once (status 'cancelled'), a running one is asked to stop
   * (its worker does at its next heartbeat). Null when the job is unknown or already ended.
   */
  requestCancel(id: string): Promise<JobRecord | null>;
  /**
   * Running jobs of workers whose last heartbeat is older than `staleBefore` (ms): queued again while they have had
   * fewer than MAX_JOB_ATTEMPTS attempts, else marked interrupted. Any process may call it; each job is reaped once.
   */
  reapStale(staleBefore: number): Promise<ReapedJobs>;
}

export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`no job ${jobId}`);
    this.name = 'JobNotFoundError';
  }
}
