/**
 * Training jobs for long-running faces (the bot): the persisted queue, each job run by runTrainingJob in a child
 * process, live events fanned out to whoever watches a job, and "rerun with fix" from a finished job's verdict.
 */
import type { Verdict } from '../domain/verdict.ts';
import type { RunStore } from '../store/run-store.ts';
import { jobReportTarget, type JobRecord, type JobStore } from '../store/job-store.ts';
import { JobQueue, type EnqueueOptions } from '../jobs/job-queue.ts';
import { parseJobConfig, type JobConfig } from '../jobs/job-config.ts';
import { applyFix, fixChangesRate, type FixChange } from '../jobs/apply-fix.ts';
import { rangeTestInChild, rangeTestKeyOf, suggestedRateFor, type RateSuggestion } from './lr-find-results.ts';
import { MemoryRangeTestStore, type RangeTestStore } from './range-test-store.ts';
import { diagnose } from '../diagnose/index.ts';
import type { JobEvent, JobProcessOptions } from '../jobs/run-job-process.ts';
import { runTrainingJob, type TrainingJobResult } from './run-training-job.ts';

export type JobWatchEvent =
  | { type: 'started'; job: JobRecord; runId: string }
  | { type: 'progress'; job: JobRecord; event: JobEvent }
  | { type: 'finished'; job: JobRecord; result: TrainingJobResult | null };

/** What a "Rerun with fix" click led to. */
export type RerunOutcome =
  | { status: 'started'; job: JobRecord; parent: JobRecord; changes: FixChange[]; rangeTest?: RateSuggestion }
  /** The job was rerun already (queued, running or finished): one click, one job. */
  | { status: 'already'; job: JobRecord; parent: JobRecord }
  /** No such job, or it has no finished run to take a verdict from. */
  | { status: 'not-finished'; parent: JobRecord | null }
  | { status: 'nothing-to-fix'; parent: JobRecord };

/** What the face does while a rerun is prepared (a click must be acknowledged within seconds). */
export interface RerunHooks {
  /** Before a range test runs (seconds): the click's public answer is deferred. */
  beforeRangeTest?: () => Promise<unknown>;
  /** Before this click waits for another click on the same job: its answer (which job that was) is private. */
  beforeWaitingForAnotherClick?: () => Promise<unknown>;
}

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
  /**
   * How often watched jobs that run in another process (a `runmedic worker`) are read from the store for their
   * progress and end (default 2000 ms; the worker's heartbeat writes them).
   */
  remotePollMs?: number;
  /**
   * A learning-rate range test of a job's network and data with its optimizer, for a rerun whose fix changes the
   * rate: the rate it suggests, or null (default: in a child process, job-range-test.ts; results are kept in
   * `rangeTests`).
   */
  rangeTest?: (config: JobConfig) => Promise<number | null>;
  /**
   * Range tests already run, by model and data (/lrfind's and the reruns'): the database's, so every process sees
   * them (default: this process's memory only).
   */
  rangeTests?: RangeTestStore;
}

/** Ends of unwatched jobs kept for a late watcher (see TrainingJobs.unwatched). */
const MAX_UNWATCHED = 100;

export class TrainingJobs {
  readonly queue: JobQueue;
  /** Range tests already run (lrfind), by what they tested: /lrfind records here, Rerun with fix reads. */
  readonly rangeTests: RangeTestStore;
  private readonly watchers = new Map<string, Set<JobWatcher>>();
  private readonly results = new Map<string, TrainingJobResult>();
  /**
   * Ends of jobs that ran in this process while nobody watched them (a queued job a restarted bot had not re-attached
   * to yet): handed to the first watcher, so the results keep their measured details. Bounded: jobs asked for outside
   * Discord are never watched.
   */
  private readonly unwatched = new Map<string, Extract<JobWatchEvent, { type: 'finished' }>>();
  private starting: Promise<JobRecord[]> | null = null;
  /** Watched jobs running elsewhere: the last progress and status relayed, so each change is relayed once. */
  private readonly remote = new Map<string, { progress: string; runId: string | null }>();
  private remoteTimer: NodeJS.Timeout | null = null;
  private polling = false;
  /** Range tests running for reruns, by what they test: reruns of two jobs of the same setup run one. */
  private readonly rangeTestsRunning = new Map<string, Promise<RateSuggestion | null>>();
  /** Reruns being prepared, by the job rerun: two clicks at once on one job prepare one. */
  private readonly reruns = new Map<string, Promise<RerunOutcome>>();

  constructor(private readonly opts: TrainingJobsOptions) {
    const run = opts.run ?? runTrainingJob;
    this.rangeTests = opts.rangeTests ?? new MemoryRangeTestStore();
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
                return r ? diagnose({ id: r.id, name: r.name, format: r.source.format, series: r.series, points: r.points, epochs: r.epochs, firstEpoch: r.firstEpoch }, { config: { epochs: config.epochs, shuffle: config.shuffle } }) : null;
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
          runId: result.discarded ? null : result.run.id,
          backend: o.backend?.name ?? null,
          error: o.status === 'failed' || o.status === 'crashed' ? o.error : null,
          context: result.context,
        };
      },
      onFinished: (job) => {
        const ended = { type: 'finished' as const, job, result: this.results.get(job.id) ?? null };
        const watchers = this.watchers.get(job.id);
        this.results.delete(job.id);
        this.watchers.delete(job.id);
        // Stopped with the service: reported at the next start, by the same path as a job a crash left running,
        // when the bot is up to say so and the job can be started again (not while the client shuts down).
        if (job.status === 'interrupted') return;
        if (watchers?.size) {
          void this.deliverEnd(ended, watchers);
          return;
        }
        this.unwatched.set(job.id, ended);
        for (const id of this.unwatched.keys()) {
          if (this.unwatched.size <= MAX_UNWATCHED) break;
          this.unwatched.delete(id);
        }
      },
    });
  }

  /**
   * Marks jobs a stopped process left running interrupted (returned) and starts the queue. Idempotent: the bot calls
   * it before re-attaching to jobs, whether or not the composition root called it first.
   */
  start(): Promise<JobRecord[]> {
    if (!this.remoteTimer) {
      this.remoteTimer = setInterval(() => void this.pollRemote(), this.opts.remotePollMs ?? 2000);
      this.remoteTimer.unref?.();
    }
    this.starting ??= this.queue.start();
    return this.starting;
  }

  /**
   * Relays jobs that workers in other processes run to this process's watchers (the bot's progress message): each new
   * progress event the worker's heartbeat stored, and the end (delivered once, as for a job run here).
   */
  async pollRemote(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const local = new Set(this.queue.runningIds());
      for (const id of [...this.watchers.keys()]) {
        if (local.has(id)) continue;
        const job = await this.opts.jobs.get(id).catch(() => null);
        if (!job || job.status === 'queued') continue;
        const seen = this.remote.get(id) ?? { progress: '', runId: null };
        if (job.runId && job.runId !== seen.runId) this.emit(id, { type: 'started', job, runId: job.runId });
        const progress = job.progress === null ? '' : JSON.stringify(job.progress);
        if (progress && progress !== seen.progress) this.emit(id, { type: 'progress', job, event: job.progress as JobEvent });
        this.remote.set(id, { progress, runId: job.runId });
        if (job.status === 'running') continue;
        this.remote.delete(id);
        const watchers = this.watchers.get(id);
        this.watchers.delete(id);
        if (watchers?.size && !this.unwatched.has(id)) await this.deliverEnd({ type: 'finished', job, result: null }, watchers);
      }
    } finally {
      this.polling = false;
    }
  }

  /**
   * What a (re)started bot has to report, once the queue is started: `live`, jobs with a Discord target that are
   * queued, running here, or ended here unwatched (watch them: their end is delivered to the watcher); `ended`, jobs
   * with a target that ended in an earlier process (interrupted by its stop or crash, or finished just before it)
   * and whose end nobody reported. Oldest first. The lists are disjoint, so no end is reported by both.
   */
  async pendingReports(): Promise<{ live: JobRecord[]; ended: JobRecord[] }> {
    await this.start();
    const active = (await this.opts.jobs.list({ statuses: ['queued', 'running'], limit: 10_000 })).reverse();
    const live = active.filter((j) => jobReportTarget(j) !== null);
    const liveIds = new Set(live.map((j) => j.id));
    for (const e of [...this.unwatched.values()]) {
      if (jobReportTarget(e.job) !== null && !liveIds.has(e.job.id)) {
        live.push(e.job);
        liveIds.add(e.job.id);
      }
    }
    // Listed after `live`: a job that ends in between is in `live` (or unwatched), never reported as an old one.
    const ended = (await this.opts.jobs.listUnreported()).filter((j) => !liveIds.has(j.id) && !this.unwatched.has(j.id) && !this.queue.runningIds().includes(j.id));
    return { live, ended };
  }

  /** Claims the report of a job that ended in an earlier process; false when someone reported it already. */
  claimReport(jobId: string): Promise<boolean> {
    return this.opts.jobs.claimReport(jobId);
  }

  /** The message showing the job's progress, kept so a restarted bot edits it rather than posting another. */
  async setProgressMessage(jobId: string, messageId: string): Promise<void> {
    await this.opts.jobs.update(jobId, { progressMessageId: messageId });
  }

  /** Where the job's progress and results go from now on (a rerun's thread), kept for a restarted bot. */
  async setReportTarget(jobId: string, channelId: string): Promise<void> {
    await this.opts.jobs.update(jobId, { reportChannelId: channelId });
  }

  stop(): Promise<void> {
    if (this.remoteTimer) clearInterval(this.remoteTimer);
    this.remoteTimer = null;
    return this.queue.stop();
  }

  enqueue(config: JobConfig, opts: EnqueueOptions = {}): Promise<JobRecord> {
    return this.queue.enqueue(config, opts);
  }

  /**
   * Watch one job's progress until it ends; returns the unsubscribe function. A job that already ended in this
   * process unwatched has its end delivered to this watcher.
   */
  watch(jobId: string, watcher: JobWatcher): () => void {
    const ended = this.unwatched.get(jobId);
    if (ended) {
      this.unwatched.delete(jobId);
      void this.deliverEnd(ended, new Set([watcher]));
      return () => {};
    }
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
    const verdict = diagnose({ id: run.id, name: run.name, format: run.source.format, series: run.series, points: run.points, epochs: run.epochs, firstEpoch: run.firstEpoch }, job.context ?? {});
    const { config, changes } = applyFix(parseJobConfig(job.config), verdict);
    return { job, verdict, config, changes };
  }

  /**
   * "Rerun with fix": the finished job's verdict applied to its config, queued as a new job linked to it. A job is
   * rerun once: while its rerun is queued, running or finished, asking again answers with that rerun. A rerun that
   * failed, crashed or was cancelled may be tried again.
   */
  async rerunWithFix(jobId: string, opts: Omit<EnqueueOptions, 'parentJobId'> = {}, hooks: RerunHooks = {}): Promise<RerunOutcome> {
    // Another click on the same job is being prepared here (its range test may take seconds): this one is told which
    // job that became, not given a second one.
    const preparing = this.reruns.get(jobId);
    if (preparing) {
      await hooks.beforeWaitingForAnotherClick?.();
      const first = await preparing;
      return first.status === 'started' ? { status: 'already', job: first.job, parent: first.parent } : first;
    }
    const p = this.prepareRerun(jobId, opts, hooks).finally(() => this.reruns.delete(jobId));
    this.reruns.set(jobId, p);
    return p;
  }

  private async prepareRerun(jobId: string, opts: Omit<EnqueueOptions, 'parentJobId'>, hooks: RerunHooks): Promise<RerunOutcome> {
    const earlier = await this.opts.jobs.liveRerunOf(jobId);
    let fix = await this.fixFor(jobId);
    if (!fix) return { status: 'not-finished', parent: await this.opts.jobs.get(jobId) };
    if (earlier) return { status: 'already', job: earlier, parent: fix.job };
    if (fix.changes.length === 0) return { status: 'nothing-to-fix', parent: fix.job };
    // A fix that changes the rate (every job's optimizer has one): the range test's rate for the job's network, data
    // and optimizer, not a blind ÷10. The test runs on the rerun's setup (its other fixes applied; its rate is swept).
    const parentConfig = parseJobConfig(fix.job.config);
    let rangeTest: RateSuggestion | undefined;
    if (fixChangesRate(parentConfig, fix)) {
      const suggestion = await this.rateFor(fix.config, hooks.beforeRangeTest);
      if (suggestion) {
        rangeTest = suggestion;
        fix = { ...fix, ...applyFix(parentConfig, fix.verdict, { suggestedLearningRate: suggestion.rate }) };
      }
    }
    const { job, created } = await this.queue.enqueueRerun(fix.config, { ...opts, parentJobId: jobId });
    return created ? { status: 'started', job, parent: fix.job, changes: fix.changes, ...(rangeTest ? { rangeTest } : {}) } : { status: 'already', job, parent: fix.job };
  }

  /** The range test's suggestion for a rerun's config; one test at a time per key in this process. */
  private rateFor(config: JobConfig, beforeRangeTest?: () => Promise<unknown>): Promise<RateSuggestion | null> {
    const key = rangeTestKeyOf(config);
    const running = this.rangeTestsRunning.get(key);
    // A test already running for another click: this click waits for it too, acknowledged first.
    if (running) return Promise.resolve(beforeRangeTest?.()).then(() => running, () => running);
    const run = this.opts.rangeTest ?? rangeTestInChild;
    const p = suggestedRateFor(config, this.rangeTests, async (c) => {
      await beforeRangeTest?.();
      return run(c);
    })
      .catch(() => null)
      .finally(() => this.rangeTestsRunning.delete(key));
    this.rangeTestsRunning.set(key, p);
    return p;
  }

  /**
   * A job's end goes to its watchers once, across watchers and restarts: the stored claim is taken before anything
   * is posted. A process dying between the claim and the post loses that report (at most once, by choice: a missing
   * checklist can be asked for with /diagnose, a doubled one cannot be taken back from people's notifications).
   */
  private async deliverEnd(e: Extract<JobWatchEvent, { type: 'finished' }>, watchers: Set<JobWatcher>): Promise<void> {
    const claimed = await this.opts.jobs.claimReport(e.job.id).catch(() => false);
    if (!claimed) return;
    for (const w of watchers) {
      await Promise.resolve()
        .then(() => w(e))
        .catch(() => undefined);
    }
  }

  private emit(jobId: string, e: JobWatchEvent): void {
    for (const w of this.watchers.get(jobId) ?? []) {
      void Promise.resolve()
        .then(() => w(e))
        .catch(() => undefined);
    }
  }
}
