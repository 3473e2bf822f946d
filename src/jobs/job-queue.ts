/**
 * The training-job queue: persisted FIFO (JobStore), at most `concurrency` jobs running at once, cancel for queued
 * and running jobs, and jobs left running by a stopped process marked interrupted at start. What running a job
 * means is injected (runTrainingJob in production, a fake in tests).
 */
import { randomUUID } from 'node:crypto';
import type { DiagnoseContext } from '../domain/context.ts';
import type { JobRecord, JobStatus, JobStore } from '../store/job-store.ts';
import type { JobConfig } from './job-config.ts';

export interface JobExecution {
  status: Extract<JobStatus, 'finished' | 'failed' | 'cancelled' | 'crashed' | 'interrupted'>;
  runId?: string | null;
  backend?: string | null;
  error?: string | null;
  context?: DiagnoseContext | null;
}

export type JobExecutor = (job: JobRecord, signal: AbortSignal) => Promise<JobExecution>;

export interface JobQueueOptions {
  store: JobStore;
  execute: JobExecutor;
  /** Jobs running at once (config; default 1: training saturates the CPU on its own; 0: workers elsewhere train). */
  concurrency?: number;
  now?: () => number;
  newId?: () => string;
  /** Told about every job that ends, whatever the outcome. */
  onFinished?: (job: JobRecord) => void;
}

export interface EnqueueOptions {
  requestedBy?: string | null;
  channelId?: string | null;
  parentJobId?: string | null;
}

export class JobQueue {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly newId: () => string;
  private pumping: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: JobQueueOptions) {
    // 0: this process trains nothing itself; `runmedic worker` processes take the queued jobs.
    this.concurrency = Math.max(0, opts.concurrency ?? 1);
    this.now = opts.now ?? Date.now;
    this.newId = opts.newId ?? (() => randomUUID().slice(0, 8));
  }

  /** Marks jobs a previous process left running as interrupted (returned, to be reported) and starts queued ones. */
  async start(): Promise<JobRecord[]> {
    const interrupted = await this.opts.store.markInterrupted();
    this.pump();
    return interrupted;
  }

  async enqueue(config: JobConfig, opts: EnqueueOptions = {}): Promise<JobRecord> {
    const job = await this.opts.store.enqueue({ id: this.newId(), config, ...opts });
    this.pump();
    return job;
  }

  /** Enqueues a rerun unless the parent already has a live one (returned with created false; see JobStore.enqueueRerun). */
  async enqueueRerun(config: JobConfig, opts: EnqueueOptions & { parentJobId: string }): Promise<{ job: JobRecord; created: boolean }> {
    const r = await this.opts.store.enqueueRerun({ id: this.newId(), config, ...opts });
    if (r.created) this.pump();
    return r;
  }

  /** Position in the queue (1 = next), 0 when running, null when neither. */
  async position(id: string): Promise<number | null> {
    if (this.running.has(id)) return 0;
    const queued = (await this.opts.store.list({ statuses: ['queued'], limit: 1000 })).reverse();
    const i = queued.findIndex((j) => j.id === id);
    return i < 0 ? null : i + 1;
  }

  /** True when the job was queued or running and is now cancelled (a running job's child is killed). */
  async cancel(id: string): Promise<boolean> {
    const live = this.running.get(id);
    if (live) {
      live.abort.abort();
      await live.done;
      return true;
    }
    // Queued: cancelled now. Running in another process (a `runmedic worker`): asked to stop; its worker does at its
    // next heartbeat and records the end.
    const done = await this.opts.store.requestCancel(id);
    if (!done) return false;
    if (done.status === 'cancelled') this.opts.onFinished?.(done);
    return true;
  }

  runningIds(): string[] {
    return [...this.running.keys()];
  }

  /** Resolves when nothing is running and nothing queued can start (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const pumping = this.pumping;
      await pumping;
      const live = [...this.running.values()];
      // A job that just ended schedules a new pump: only idle when no pump started while we waited.
      if (live.length === 0 && pumping === this.pumping) return;
      await Promise.all(live.map((l) => l.done));
    }
  }

  /** Kills running jobs (recorded as interrupted) and starts no more; queued jobs stay queued for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const l of this.running.values()) l.abort.abort();
    await Promise.all([...this.running.values()].map((l) => l.done));
  }

  private pump(): void {
    this.pumping = this.pumping.then(async () => {
      while (!this.stopped && this.running.size < this.concurrency) {
        const job = await this.opts.store.claimNext();
        if (!job) return;
        const abort = new AbortController();
        const done = this.run(job, abort.signal).finally(() => {
          this.running.delete(job.id);
          this.pump();
        });
        this.running.set(job.id, { abort, done });
      }
    });
  }

  private async run(job: JobRecord, signal: AbortSignal): Promise<void> {
    let ex: JobExecution;
    try {
      ex = await this.opts.execute(job, signal);
    } catch (e) {
      ex = { status: 'failed', error: e instanceof Error ? e.message : String(e) };
    }
    // Stopping the service is not the user's cancel: those jobs are reported as interrupted.
    if (signal.aborted && ex.status !== 'finished') ex = { ...ex, status: this.stopped ? 'interrupted' : 'cancelled' };
    const done = await this.opts.store.update(job.id, {
      status: ex.status,
      runId: ex.runId,
      backend: ex.backend,
      error: ex.error ?? null,
      context: ex.context,
      finishedAt: this.now(),
    });
    this.opts.onFinished?.(done);
  }
}
