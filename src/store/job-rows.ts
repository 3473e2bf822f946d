/**
 * A row of the jobs table as both stores read it (SQLite and PostgreSQL hold the same columns, migrations 3, 7, 8
 * and 11; PostgreSQL's int8 is parsed to a number), and the record it becomes.
 */
import type { JobPatch, JobRecord, JobStatus } from './job-store.ts';

export interface JobRow {
  id: string;
  status: string;
  config: string;
  requested_by: string | null;
  channel_id: string | null;
  parent_job_id: string | null;
  run_id: string | null;
  backend: string | null;
  error: string | null;
  context: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  report_channel_id: string | null;
  reported_at: number | null;
  progress_message_id: string | null;
  attempts: number;
  worker_id: string | null;
  heartbeat_at: number | null;
  cancel_requested_at: number | null;
  progress: string | null;
}

export const JOB_COLUMNS =
  'id, status, config, requested_by, channel_id, parent_job_id, run_id, backend, error, context, created_at, started_at, finished_at, report_channel_id, reported_at, progress_message_id, attempts, worker_id, heartbeat_at, cancel_requested_at, progress';

export function toJobRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    status: r.status as JobStatus,
    config: JSON.parse(r.config),
    requestedBy: r.requested_by,
    channelId: r.channel_id,
    parentJobId: r.parent_job_id,
    runId: r.run_id,
    backend: r.backend,
    error: r.error,
    context: r.context === null ? null : JSON.parse(r.context),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    reportChannelId: r.report_channel_id,
    reportedAt: r.reported_at,
    progressMessageId: r.progress_message_id,
    attempts: r.attempts,
    workerId: r.worker_id,
    heartbeatAt: r.heartbeat_at,
    cancelRequestedAt: r.cancel_requested_at,
    progress: r.progress === null ? null : JSON.parse(r.progress),
  };
}

/** The column each field of a JobPatch updates. */
export const JOB_PATCH_COLUMNS: Record<keyof JobPatch, string> = {
  status: 'status',
  runId: 'run_id',
  backend: 'backend',
  error: 'error',
  context: 'context',
  finishedAt: 'finished_at',
  reportChannelId: 'report_channel_id',
  progressMessageId: 'progress_message_id',
};
