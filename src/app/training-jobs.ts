/**
 * Training jobs for long-running faces (the bot): the persisted queue, each job run by runTrainingJob in a child
 * process, live events fanned out to whoever watches a job, and "rerun with fix" from a finished job's verdict.
 */
import type { Verdict } from '../domain/verdict.ts';
import type { RunStore } from '../store/run-store.ts';
import type { JobRecord, JobStore } from '../store/job-store.ts';
import { JobQueue, type EnqueueOptions } from '../jobs/job-queue.ts';
import { parseJobConfig, type JobConfig } from '../jobs/job-config.ts';
import { applyFix, type FixChange } from '../jobs/apply-fix.ts';
import { diagnose } from '../diagnose/index.ts';
import type { JobEvent, JobProcessOptions } from '../jobs/run-job-process.ts';
import { runTrainingJob, type TrainingJobResult } from './run-training-job.ts';

export type JobWatchEvent =
  | { type: 'started'; job: JobRecord; runId: string }
  | { type: 'progress'; job: JobRecord; event: JobEvent }
  | { type: 'finished'; job: JobRecord; result: TrainingJobResult | null };

/** What a "Rerun with fix" click led to. */
export type RerunOutcome =
  | { status: 'started'; job: JobRecord; parent: JobRecord; changes: FixChange[] }
  /** The job was rerun already (queued, running or finished): one click, one job. */
  | { status: 'already'; job: JobRecord; parent: JobRecord }
  /** No such job, or it has no finished run to take a verdict from. */
  | { status: 'not-finished'; parent: JobRecord | null }
  | { status: 'nothing-to-fix'; parent: JobRecord };

export type JobWatcher = (e: JobWatchEvent) => void | Promise<void>;

export interface TrainingJobsOptions {
  jobs: JobStore;
  runs: RunStore;
  concurrency?: number;
  process?: Omit<JobProcessOptions, 'onEvent'>;
  /** Stand-in for runTrainingJob (tests). */
  run?: typeof runTrainingJob;
  /**
   * Called with the verdict of the run so far after every epoch and with the final verdict (with the job's measured
   * context) at the end: the alert service pings from it, de-duplicating findings already pinged.
   */
  afterVerdict?: (verdict: Verdict) => Promise<unknown>;
}

export class TrainingJobs {
  readonly queue: JobQueue;
  private readonly watchers = new Map<string, Set<JobWatcher>>();
  private readonly results = new Map<string, TrainingJobResult>();

  constructor(private readonly opts: TrainingJobsOptions) {
    const run = opts.run ?? runTrainingJob;
    this.queue = new JobQueue({
      store: opts.jobs,
      concurrency: opts.concurrency,
      execute: async (job, signal) => {
        const config = parseJobConfig(job.config);
        let runId: string | null = null;
        // Live reviews run one after another, never two at once on the same run.
        let reviews: Promise<unknown> = Promise.resolve();
        const review = (verdict: () => Promise<Verdict | null>) => {
          if (!opts.afterVerdict) return;
          reviews = reviews.then(async () => {
            const v = await verdict();
            if (v) await opts.afterVerdict!(v);
          }).catch(() => undefined);
        };
        const result = await run(config, opts.runs, {
          jobId: job.id,
          signal,
          process: opts.process,
          saveContext: (context) => opts.jobs.update(job.id, { context }),
          onRunCreated: (r) => {
            runId = r.id;
            void opts.jobs.update(job.id, { runId: r.id });
            this.emit(job.id, { type: 'started', job, runId: r.id });
          },
          onEvent: (event) => {
            this.emit(job.id, { type: 'progress', job, event });
            if (event.type === 'epoch' && runId) {
              const id = runId;
              review(async () => {
                const r = await opts.runs.getRun(id);
                return r ? diagnose({ id: r.id, name: r.name, format: r.source.format, series: r.series, points: r.points, epochs: r.epochs }, { config: { epochs: config.epochs, shuffle: config.shuffle } }) : null;
              });
            }
          },
        });
        if (result.verdict) {
          const v = result.verdict;
          review(async () => v);
        }
        await reviews;
        this.results.set(job.id, result);
        const o = result.outcome;
        return {
          status: o.status,
          runId: result.run.id,
          backend: o.backend?.name ?? null,
          error: o.status === 'failed' || o.status === 'crashed' ? o.error : null,
          context: result.context,
        };
      },
      onFinished: (job) => {
        this.emit(job.id, { type: 'finished', job, result: this.results.get(job.id) ?? null });
        this.results.delete(job.id);
        this.watchers.delete(job.id);
      },
    });
  }

  /** Jobs a stopped process left running, now marked interrupted: the caller reports them. */
  start(): Promise<JobRecord[]> {
    return this.queue.start();
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }

  enqueue(config: JobConfig, opts: EnqueueOptions = {}): Promise<JobRecord> {
    return this.queue.enqueue(config, opts);
  }

  /** Watch one job's progress until it ends; returns the unsubscribe function. */
  watch(jobId: string, watcher: JobWatcher): () => void {
    let set = this.watchers.get(jobId);
    if (!set) this.watchers.set(jobId, (set = new Set()));
    set.add(watcher);
    return () => set.delete(watcher);
  }

  cancel(jobId: string): Promise<boolean> {
    return this.queue.cancel(jobId);
  }

  get(jobId: string): Promise<JobRecord | null> {
    return this.opts.jobs.get(jobId);
  }

  list(limit = 15): Promise<JobRecord[]> {
    return this.opts.jobs.list({ limit });
  }

  position(jobId: string): Promise<number | null> {
    return this.queue.position(jobId);
  }

  /**
   * The verdict of a finished job, with its measured context, and the config its fixes lead to. Null when the job
   * has no stored run or is not finished.
   */
  async fixFor(jobId: string): Promise<{ job: JobRecord; verdict: Verdict; config: JobConfig; changes: FixChange[] } | null> {
    const job = await this.opts.jobs.get(jobId);
    if (!job || job.status !== 'finished' || !job.runId) return null;
    const run = await this.opts.runs.getRun(job.runId);
    if (!run) return null;
    const verdict = diagnose({ id: run.id, name: run.name, format: run.source.format, series: run.series, points: run.points, epochs: run.epochs }, job.context ?? {});
    const { config, changes } = applyFix(parseJobConfig(job.config), verdict);
    return { job, verdict, config, changes };
  }

  /**
   * "Rerun with fix": the finished job's verdict applied to its config, queued as a new job linked to it. A job is
   * rerun once: while its rerun is queued, running or finished, asking again answers with that rerun. A rerun that
   * failed, crashed or was cancelled may be tried again.
   */
  async rerunWithFix(jobId: string, opts: Omit<EnqueueOptions, 'parentJobId'> = {}): Promise<RerunOutcome> {
    const earlier = await this.opts.jobs.liveRerunOf(jobId);
    const fix = await this.fixFor(jobId);
    if (!fix) return { status: 'not-finished', parent: await this.opts.jobs.get(jobId) };
    if (earlier) return { status: 'already', job: earlier, parent: fix.job };
    if (fix.changes.length === 0) return { status: 'nothing-to-fix', parent: fix.job };
    const { job, created } = await this.queue.enqueueRerun(fix.config, { ...opts, parentJobId: jobId });
    return created ? { status: 'started', job, parent: fix.job, changes: fix.changes } : { status: 'already', job, parent: fix.job };
  }

  private emit(jobId: string, e: JobWatchEvent): void {
    for (const w of this.watchers.get(jobId) ?? []) {
      void Promise.resolve()
        .then(() => w(e))
        .catch(() => undefined);
    }
  }
}
