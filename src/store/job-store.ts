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
}

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
}

export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`no job ${jobId}`);
    this.name = 'JobNotFoundError';
  }
}
