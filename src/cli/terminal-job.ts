/**
 * What the terminal faces that run a training job (`runmedic train`, the demo's training step) share: starting it as
 * a recorded job with Ctrl-C as its cancel, and the lines that describe its backend and its failure.
 */
import type { TrainingJobResult } from '../app/run-training-job.ts';
import type { LoadedBackend } from '../jobs/backend.ts';
import type { JobConfig } from '../jobs/job-config.ts';
import type { JobEvent, JobOutcome } from '../jobs/run-job-process.ts';
import type { CliContext } from './command.ts';

export interface TerminalJobOptions {
  onEvent: (e: JobEvent) => void;
  backendOrder?: string;
  /** Who the job row names as requester ('cli', 'demo'). */
  requestedBy: string;
  /** Cancels the job (Ctrl-C does too, while it runs). */
  abort?: AbortController;
}

export async function runTerminalJob(ctx: CliContext, config: JobConfig, o: TerminalJobOptions): Promise<TrainingJobResult> {
  const abort = o.abort ?? new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const store = await ctx.openStore();
    // Loaded when a job starts: TensorFlow.js and the job runner cost seconds that other subcommands should not pay.
    const { runTrainingJob } = await import('../app/run-training-job.ts');
    // Recorded as a job, so `runmedic diagnose <run>` later finds what the job measured (dataset stats, gradients).
    const record = ctx.openJobStore ? { jobs: await ctx.openJobStore(), requestedBy: o.requestedBy } : undefined;
    return await runTrainingJob(config, store, { onEvent: o.onEvent, signal: abort.signal, process: o.backendOrder ? { backendOrder: o.backendOrder } : {}, record });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** The backend that ran, and the ones tried before it with why they did not load. */
export function backendText(b: LoadedBackend): string {
  const skipped = b.attempts.filter((a) => !a.ok);
  const name = b.name === 'tensorflow' ? 'tensorflow (native, @tensorflow/tfjs-node)' : b.name;
  // Without the native backend a user should learn how to get it (about 10× faster for convolutions).
  const hint = skipped.some((a) => a.name === 'tensorflow' && /Cannot find module/.test(a.error ?? '')) ? '; `npm run setup:tfjs-node` builds the native backend offline in about a minute' : '';
  return `${name}${skipped.length ? ` (skipped ${skipped.map((a) => `${a.name}: ${a.error}`).join('; ')}${hint})` : ''}`;
}


/** Why a job did not finish: 'cancelled', or its status and error. */
export function unfinishedReason(outcome: JobOutcome): string {
  return outcome.status === 'cancelled' ? 'cancelled' : `${outcome.status}: ${'error' in outcome ? outcome.error : ''}`;
}
