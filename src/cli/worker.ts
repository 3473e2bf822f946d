/**
 * `runmedic worker`: trains the jobs queued in the shared database (DATABASE_URL; a SQLite file works for workers on
 * the same machine) until SIGINT/SIGTERM. Several workers on several machines split the queue; see QueueWorker.
 */
import type { CliCommand } from './command.ts';
import { UsageError } from './usage-error.ts';

const wholeMs = (name: string, v: unknown, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(x) || x < min) throw new UsageError(`--${name}: expected a whole number of milliseconds ≥ ${min}, got "${String(v)}"`, 'worker');
  return x;
};

export const workerCommand: CliCommand = {
  name: 'worker',
  summary: 'train queued jobs from the shared database (DATABASE_URL) until stopped; run one per machine that trains',
  args: '',
  maxArgs: 0,
  defaultLogLevel: 'info',
  options: {
    concurrency: { type: 'string', valueName: 'N', description: 'jobs trained at once (default $JOB_CONCURRENCY, else 1)' },
    id: { type: 'string', valueName: 'NAME', description: 'this worker\'s name in the job rows (default host:pid:random)' },
    'heartbeat-ms': { type: 'string', valueName: 'MS', description: 'how often a running job reports progress and checks for a cancel (default 2000)' },
    'stale-ms': { type: 'string', valueName: 'MS', description: 'a job whose worker was silent this long is taken back (default 10 heartbeats)' },
  },
  async run(ctx, { values }) {
    const concurrency = values.concurrency === undefined ? Math.max(1, ctx.config.jobConcurrency) : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency: expected a whole number ≥ 1, got "${String(values.concurrency)}"`, 'worker');
    const heartbeatMs = wholeMs('heartbeat-ms', values['heartbeat-ms'], 100);
    const staleMs = wholeMs('stale-ms', values['stale-ms'], 500);
    if (heartbeatMs !== undefined && staleMs !== undefined && staleMs < 3 * heartbeatMs) throw new UsageError('--stale-ms: must be at least three heartbeats, or live jobs are taken from their workers', 'worker');
    const stores = await ctx.openStores!();
    const [{ QueueWorker }, { AlertService }] = await Promise.all([import('../app/queue-worker.ts'), import('../alerts/alert-service.ts')]);
    // Pings of a job's final verdict go through the outbox; a bot process delivers them.
    const alerts = new AlertService(stores.alerts);
    const worker = new QueueWorker({
      jobs: stores.jobs,
      runs: stores.runs,
      log: ctx.log.child({ component: 'worker' }),
      concurrency,
      ...(typeof values.id === 'string' ? { workerId: values.id } : {}),
      ...(heartbeatMs !== undefined ? { heartbeatMs } : {}),
      ...(staleMs !== undefined ? { staleMs } : {}),
      afterVerdict: (v) => alerts.afterVerdict(v),
    });
    worker.start();
    ctx.err(`runmedic worker ${worker.id} taking jobs from ${ctx.dbPath} (${concurrency} at a time); Ctrl-C stops it`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    ctx.log.info({ signal }, 'stopping: running jobs are reported interrupted');
    await worker.stop();
  },
};
