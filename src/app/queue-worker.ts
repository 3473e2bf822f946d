/**
 * A `runmedic worker`: takes queued training jobs from the shared database (any machine that reaches it), trains each
 * in a child process as the bot does, and reports through the store: its heartbeat with the latest progress event
 * every `heartbeatMs`, the run's points as they are measured, the outcome at the end. Whoever shows the job (the bot's
 * progress message, `runmedic train --queue`) reads it from there.
 *
 * Exactly once: a job is claimed by one worker (SKIP LOCKED / an immediate transaction). A worker that stops beating
 * for `staleMs` loses its job to the reaper any worker runs: queued again once, then reported interrupted. A worker
 * whose heartbeat finds the job no longer its own (reaped while it was cut off) kills its training at once, so a job
 * never trains in two places for longer than a heartbeat. A cancel from any process arrives with the next heartbeat.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Verdict } from '../domain/verdict.ts';
import type { Logger } from '../logger.ts';
import type { JobRecord, JobStore } from '../store/job-store.ts';
import type { RunStore } from '../store/run-store.ts';
import { parseJobConfig } from '../jobs/job-config.ts';
import type { JobEvent, JobProcessOptions } from '../jobs/run-job-process.ts';
import type { runTrainingJob as RunTrainingJob } from './run-training-job.ts';

export interface QueueWorkerOptions {
  jobs: JobStore;
  runs: RunStore;
  log: Logger;
  /** Shown in /jobs and the job rows: host:pid:random unless given. */
  workerId?: string;
  /** Jobs trained at once by this worker (default 1: training saturates the CPU on its own). */
  concurrency?: number;
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this is another worker's dead job (default 10 heartbeats). */
  staleMs?: number;
  /** How often an idle worker looks for work and for dead workers' jobs. */
  pollMs?: number;
  process?: Omit<JobProcessOptions, 'onEvent'>;
  /** The final verdict of each finished job (the alert service pings from it, when wired). */
  afterVerdict?: (verdict: Verdict) => Promise<unknown>;
  now?: () => number;
  /** Stand-in for runTrainingJob (tests). */
  run?: typeof RunTrainingJob;
}

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
}

export class QueueWorker {
  readonly id: string;
  private readonly heartbeatMs: number;
  private readonly staleMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** Jobs this worker ended, for tests and the log's summary. */
  readonly ended: JobRecord[] = [];

  constructor(private readonly o: QueueWorkerOptions) {
    this.id = o.workerId ?? defaultWorkerId();
    this.heartbeatMs = o.heartbeatMs ?? 2000;
    this.staleMs = o.staleMs ?? this.heartbeatMs * 10;
    this.pollMs = o.pollMs ?? 1000;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops taking jobs; running ones are killed and reported interrupted (another worker does not retry them). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    for (const r of this.running.values()) r.abort.abort();
    await this.loop;
  }

  /** Resolves once the worker stopped (stop(), or `once` mode ran out of work). */
  done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    const concurrency = Math.max(1, this.o.concurrency ?? 1);
    while (!this.stopping) {
      try {
        await this.reap();
        while (!this.stopping && this.running.size < concurrency) {
          const job = await this.o.jobs.claimFor(this.id);
          if (!job) break;
          this.o.log.info({ jobId: job.id, attempt: job.attempts, worker: this.id }, 'job claimed');
          const abort = new AbortController();
          const done = this.train(job, abort).finally(() => {
            this.running.delete(job.id);
            this.wake?.();
          });
          this.running.set(job.id, { abort, done });
        }
      } catch (err) {
        // The database may be restarting: keep polling, the jobs wait in it.
        this.o.log.warn({ err }, 'job queue unreachable; retrying');
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Other workers' dead jobs: requeued or interrupted, and the partial run of each marked crashed. */
  private async reap(): Promise<void> {
    const { retried, interrupted } = await this.o.jobs.reapStale(this.now() - this.staleMs);
    for (const j of [...retried, ...interrupted]) {
      this.o.log.warn({ jobId: j.id, status: j.status, attempts: j.attempts }, j.status === 'queued' ? 'job of a stopped worker queued again' : `job of a stopped worker ${j.status}`);
      if (j.runId) await this.o.runs.setStatus(j.runId, 'crashed').catch(() => undefined);
    }
  }

  private async train(job: JobRecord, abort: AbortController): Promise<void> {
    let latest: JobEvent | undefined;
    let lost = false;
    let cancelled = false;
    const beat = async () => {
      const progress = latest;
      latest = undefined;
      const a = await this.o.jobs.heartbeat(job.id, this.id, progress).catch(() => null);
      if (a === null) return; // the database is unreachable: the next beat tries again
      if (!a.owned) {
        lost = true;
        abort.abort();
      } else if (a.cancelRequested && !cancelled) {
        cancelled = true;
        abort.abort();
      }
    };
    const timer = setInterval(() => void beat(), this.heartbeatMs);
    timer.unref?.();
    try {
      const run = this.o.run ?? (await import('./run-training-job.ts')).runTrainingJob;
      const result = await run(parseJobConfig(job.config), this.o.runs, {
        jobId: job.id,
        attempt: job.attempts,
        signal: abort.signal,
        process: this.o.process,
        saveContext: (context) => this.o.jobs.update(job.id, { context }),
        onRunCreated: (r) => void this.o.jobs.update(job.id, { runId: r.id }).catch(() => undefined),
        onEvent: (e) => {
          // Batches are many; the latest epoch (or backend, data) event is what a face shows between heartbeats.
          if (e.type !== 'batch' || latest === undefined || latest.type === 'batch') latest = e;
        },
      });
      clearInterval(timer);
      if (lost) {
        this.o.log.warn({ jobId: job.id }, 'job taken from this worker (its heartbeat was late); its result is dropped');
        return;
      }
      const o = result.outcome;
      const status = o.status === 'cancelled' && !cancelled && this.stopping ? 'interrupted' : o.status;
      const ended = await this.o.jobs.finishOwned(job.id, this.id, {
        status,
        runId: result.discarded ? null : result.run.id,
        backend: o.backend?.name ?? null,
        error: o.status === 'failed' || o.status === 'crashed' ? o.error : status === 'interrupted' ? 'the worker running this job was stopped' : null,
        context: result.context,
        finishedAt: this.now(),
      });
      if (result.verdict && this.o.afterVerdict) await this.o.afterVerdict(result.verdict).catch(() => undefined);
      if (ended) {
        this.ended.push(ended);
        this.o.log.info({ jobId: job.id, status: ended.status, runId: ended.runId }, 'job ended');
      }
    } catch (e) {
      clearInterval(timer);
      const error = e instanceof Error ? e.message : String(e);
      await this.o.jobs.finishOwned(job.id, this.id, { status: 'failed', error, finishedAt: this.now() }).catch(() => undefined);
      this.o.log.error({ jobId: job.id, err: e }, 'job failed');
    }
  }
}
