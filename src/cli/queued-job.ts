/**
 * `runmedic train --queue`: the job goes to the shared queue and a `runmedic worker` (any machine) trains it. Without
 * --detach the command follows it through the store (status and the worker's progress every half second) and ends
 * like `runmedic train`: the checklist, exit 1 when an item fails, 3 when the job did not finish. Ctrl-C asks the
 * worker to cancel it.
 */
import { randomUUID } from 'node:crypto';
import type { JobConfig } from '../jobs/job-config.ts';
import type { JobRecord } from '../store/job-store.ts';
import type { CliContext } from './command.ts';
import { checklistText, EXIT_SOMETHING_FAILS } from './diagnose.ts';
import { toJson } from './format.ts';
import { EXIT_JOB_FAILED } from './train.ts';

export async function runQueuedJob(ctx: CliContext, config: JobConfig, o: { detach: boolean; json: boolean; all: boolean; pollMs?: number }): Promise<number> {
  const stores = await ctx.openStores!();
  const job = await stores.jobs.enqueue({ id: randomUUID().slice(0, 8), config, requestedBy: 'cli' });
  const ahead = (await stores.jobs.countByStatus('queued')) - 1;
  ctx.err(`queued job ${job.id} in ${ctx.dbPath}${ahead > 0 ? ` (${ahead} ahead of it)` : ''}; a \`runmedic worker\` trains it`);
  if (o.detach) {
    ctx.out(o.json ? toJson({ jobId: job.id, status: job.status }) : job.id);
    return 0;
  }
  let cancelAsked = false;
  const onSigint = () => {
    if (cancelAsked) return;
    cancelAsked = true;
    ctx.err(`cancelling job ${job.id} …`);
    void stores.jobs.requestCancel(job.id);
  };
  process.on('SIGINT', onSigint);
  let ended: JobRecord;
  try {
    ended = await follow(ctx, stores.jobs.get.bind(stores.jobs), job.id, o.pollMs ?? 500);
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (ended.status !== 'finished' || !ended.runId) {
    ctx.err(`job ${ended.id} ${ended.status}${ended.error ? `: ${ended.error}` : ''}${ended.runId ? ` (run ${ended.runId})` : ''}`);
    return EXIT_JOB_FAILED;
  }
  const run = await stores.runs.getRun(ended.runId);
  if (!run) {
    ctx.err(`job ${ended.id} finished but its run ${ended.runId} is gone`);
    return EXIT_JOB_FAILED;
  }
  const { diagnose } = await import('../diagnose/index.ts');
  const verdict = diagnose({ id: run.id, name: run.name, format: run.source.format, series: run.series, points: run.points, epochs: run.epochs, firstEpoch: run.firstEpoch }, ended.context ?? {});
  ctx.err(`job ${ended.id} trained by ${ended.workerId ?? 'a worker'}${ended.attempts > 1 ? ` (attempt ${ended.attempts})` : ''} on ${ended.backend ?? '?'}; run ${run.id} stored in ${ctx.dbPath}`);
  if (o.json) ctx.out(toJson(verdict));
  else for (const line of checklistText({ verdict, from: 'store', notes: [] }, { all: o.all })) ctx.out(line);
  return verdict.status === 'fail' ? EXIT_SOMETHING_FAILS : 0;
}

/** Polls the job until it ends, printing each new state and epoch once (one line each: logs and terminals alike). */
async function follow(ctx: CliContext, get: (id: string) => Promise<JobRecord | null>, id: string, pollMs: number): Promise<JobRecord> {
  let said = '';
  for (;;) {
    const job = await get(id);
    if (!job) throw new Error(`job ${id} vanished from the queue`);
    const line = describe(job);
    if (line && line !== said) {
      ctx.err(line);
      said = line;
    }
    if (job.status !== 'queued' && job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

function describe(job: JobRecord): string {
  if (job.status === 'queued') return job.attempts > 0 ? `job ${job.id} queued again: its worker stopped (attempt ${job.attempts} of 2)` : '';
  if (job.status !== 'running') return '';
  const p = job.progress as { type?: string; report?: { epoch: number; epochs: number; loss: number; valLoss?: number | null } } | null;
  const who = `${job.workerId ?? 'a worker'}${job.attempts > 1 ? `, attempt ${job.attempts}` : ''}`;
  if (p?.type === 'epoch' && p.report) {
    const r = p.report;
    return `job ${job.id} (${who}): epoch ${r.epoch}/${r.epochs} loss ${fmt(r.loss)}${r.valLoss !== null && r.valLoss !== undefined ? ` val_loss ${fmt(r.valLoss)}` : ''}`;
  }
  return `job ${job.id} running on ${who}`;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));
