/**
 * The training-job use case shared by the CLI, the bot and the queue: create a live run, train in a child process
 * while streaming epoch points into the store, then store the step-level series, diagnose with the measured context.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { DiagnoseContext } from '../domain/context.ts';
import type { RunSummary, Series } from '../domain/run.ts';
import type { Verdict } from '../domain/verdict.ts';
import type { RunStore } from '../store/run-store.ts';
import type { JobStore } from '../store/job-store.ts';
import type { JobConfig } from '../jobs/job-config.ts';
import { FAULT_NAMES, isCustomJob } from '../jobs/job-config.ts';
import { CUSTOM_DEFAULTS, PRESETS } from '../jobs/presets.ts';
import { withoutFileContents } from './custom-job-config.ts';
import { startJobProcess, type JobEvent, type JobOutcome, type JobProcessOptions } from '../jobs/run-job-process.ts';
import { diagnose } from '../diagnose/index.ts';

export interface TrainingJobOptions {
  /** The queue's job id; a fresh one otherwise. Also makes the run's content hash unique. */
  jobId?: string;
  /**
   * The job's attempt (a worker retrying a job whose first worker died): a second attempt trains into a new run,
   * leaving the first attempt's partial run as it was (marked crashed), instead of appending its epochs again.
   */
  attempt?: number;
  name?: string;
  signal?: AbortSignal;
  onEvent?: (event: JobEvent) => void;
  /** Called once the live run exists (the bot links its progress message to it). */
  onRunCreated?: (run: RunSummary) => void;
  process?: Omit<JobProcessOptions, 'onEvent'>;
  /**
   * Stores the job's measured context (the job store) before the run is marked finished, so whoever diagnoses the
   * finished run (a /diagnose, the alert's chart) finds it, instead of caching a verdict without it.
   */
  saveContext?: (context: DiagnoseContext) => Promise<unknown>;
  /**
   * A job run outside the queue (the CLI) is recorded here, with its run, outcome and measured context, so a later
   * `runmedic diagnose <run>` or /diagnose of its run gets the same items as its final verdict.
   */
  record?: { jobs: Pick<JobStore, 'recordRunning' | 'update'>; requestedBy?: string };
}

export interface TrainingJobResult {
  jobId: string;
  outcome: JobOutcome;
  run: RunSummary;
  /**
   * True when the job's own model or data file was at fault before training began (a failed outcome with `input`):
   * its empty run was deleted again, and `run` is what it was.
   */
  discarded?: boolean;
  /** Present when the job finished: the engine's verdict with the job's own dataset stats and instrumentation. */
  verdict: Verdict | null;
  context: DiagnoseContext | null;
}

/**
 * "seed-cnn lr=0.5 label-noise=0.4", "cnn.json on digits.npz epochs=3": what differs from the preset's (or a custom
 * job's) defaults, readable in run lists.
 */
export function jobRunName(config: JobConfig): string {
  const custom = isCustomJob(config);
  const d = (isCustomJob(config) ? CUSTOM_DEFAULTS : PRESETS[config.preset].defaults) as Record<string, unknown>;
  const parts: string[] = [isCustomJob(config) ? `${config.custom.model.name} on ${config.custom.data.name}` : config.preset];
  const short: Record<string, string> = { learningRate: 'lr', batchSize: 'batch', validationSplit: 'val' };
  for (const [k, v] of Object.entries(config)) {
    if (k === 'preset' || k === 'faults' || k === 'limit' || v === null || typeof v === 'object') continue;
    if (custom && JSON.stringify(d[k]) === JSON.stringify(v)) continue;
    if (JSON.stringify(d[k]) !== JSON.stringify(v)) parts.push(`${short[k] ?? k}=${String(v)}`);
  }
  for (const f of FAULT_NAMES) {
    const v = config.faults[f];
    if (v === undefined || v === false) continue;
    const kebab = f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    parts.push(v === true ? kebab : `${kebab}=${v}`);
  }
  return parts.join(' ');
}

const LIVE_SERIES = ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const;

function livePoint(name: (typeof LIVE_SERIES)[number], epoch: number, value: number): Series {
  const val = name.startsWith('val_');
  const key = name.replace('val_', '');
  const one = (x: number) => Float64Array.of(x);
  return { key, split: val ? 'val' : 'train', name, direction: key === 'loss' ? 'lower' : 'higher', cadence: 'epoch', steps: one(epoch), epochs: one(epoch), wallTimes: null, values: one(value) };
}

export async function runTrainingJob(config: JobConfig, store: RunStore, opts: TrainingJobOptions = {}): Promise<TrainingJobResult> {
  const record = opts.record;
  if (!record) return trainAndStore(config, store, opts);
  const jobId = opts.jobId ?? randomUUID().slice(0, 8);
  await record.jobs.recordRunning({ id: jobId, config, requestedBy: record.requestedBy ?? null });
  let runId: string | null = null;
  try {
    const r = await trainAndStore(config, store, {
      ...opts,
      jobId,
      onRunCreated: (run) => {
        runId = run.id;
        opts.onRunCreated?.(run);
      },
      saveContext: async (context) => {
        await record.jobs.update(jobId, { runId, context });
        await opts.saveContext?.(context);
      },
    });
    const o = r.outcome;
    await record.jobs.update(jobId, {
      status: o.status,
      runId: r.discarded ? null : r.run.id,
      backend: o.backend?.name ?? null,
      error: o.status === 'failed' || o.status === 'crashed' ? o.error : null,
      finishedAt: Date.now(),
    });
    return r;
  } catch (e) {
    await record.jobs.update(jobId, { status: 'failed', runId, error: e instanceof Error ? e.message : String(e), finishedAt: Date.now() }).catch(() => undefined);
    throw e;
  }
}

async function trainAndStore(config: JobConfig, store: RunStore, opts: TrainingJobOptions): Promise<TrainingJobResult> {
  const jobId = opts.jobId ?? randomUUID();
  const name = opts.name ?? jobRunName(config);
  const [saved] = await store.saveRuns([
    {
      log: { name, format: 'tfjs_job', series: [], notes: [], meta: { jobId, config: withoutFileContents(config) } },
      source: { format: 'tfjs_job', fileName: `job:${jobId}`, contentHash: createHash('sha256').update(`tfjs_job:${jobId}${(opts.attempt ?? 1) > 1 ? `#${opts.attempt}` : ''}`).digest('hex') },
      status: 'running',
    },
  ]);
  const runId = saved!.run.id;
  opts.onRunCreated?.(saved!.run);

  // Appends run one after another so points land in epoch order even though the store is async.
  let writes: Promise<unknown> = Promise.resolve();
  const append = (series: Series[]) => {
    writes = writes.then(() => store.appendPoints(runId, series)).catch(() => undefined);
  };
  let started = false;
  const job = startJobProcess(config, {
    ...opts.process,
    onEvent: (e) => {
      if (e.type === 'data') started = true;
      if (e.type === 'epoch') {
        const r = e.report;
        const pts = [livePoint('loss', r.epoch, r.loss), livePoint('accuracy', r.epoch, r.accuracy)];
        if (r.valLoss !== null) pts.push(livePoint('val_loss', r.epoch, r.valLoss));
        if (r.valAccuracy !== null) pts.push(livePoint('val_accuracy', r.epoch, r.valAccuracy));
        append(pts);
      }
      opts.onEvent?.(e);
    },
  });
  const onAbort = () => job.cancel();
  if (opts.signal?.aborted) job.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const outcome = await job.done;
  opts.signal?.removeEventListener('abort', onAbort);
  await writes;

  if (outcome.status === 'failed' && outcome.input && !started) {
    // The team's own file was at fault before anything trained: an empty run would only clutter the run list.
    await store.deleteRun(runId);
    return { jobId, outcome, run: saved!.run, discarded: true, verdict: null, context: null };
  }
  if (outcome.status !== 'finished') {
    const run = await store.setStatus(runId, outcome.status === 'cancelled' ? 'killed' : 'crashed');
    return { jobId, outcome, run, verdict: null, context: null };
  }
  const { result } = outcome;
  const live = new Set<string>(LIVE_SERIES);
  // A custom job's notes (how its files were read, how it trained) stay with its run for later reports.
  await store.appendPoints(runId, result.series.filter((s) => !live.has(s.name)), isCustomJob(config) ? { notes: result.notes } : undefined);
  await opts.saveContext?.(result.context);
  const run = await store.setStatus(runId, 'finished');
  const verdict = diagnose({ id: run.id, name: run.name, format: 'tfjs_job', series: result.series, points: run.points, epochs: run.epochs, firstEpoch: run.firstEpoch }, result.context);
  return { jobId, outcome, run, verdict, context: result.context };
}
