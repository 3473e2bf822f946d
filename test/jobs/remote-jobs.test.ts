/**
 * A bot process that trains nothing itself (JOB_CONCURRENCY=0) follows jobs a worker runs: the worker's heartbeats
 * carry progress into the store, TrainingJobs relays them to the bot's watchers, and the end is delivered once; Cancel
 * in the bot reaches the worker. One SQLite file shared by two store connections stands for two processes (the
 * PostgreSQL version with real worker processes is test/jobs/queue-worker.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueueWorker } from '../../src/app/queue-worker.ts';
import type { runTrainingJob } from '../../src/app/run-training-job.ts';
import { TrainingJobs, type JobWatchEvent } from '../../src/app/training-jobs.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';
import { silentLogger } from '../../src/logger.ts';
import { openSqliteStores } from '../../src/store/open-sqlite-stores.ts';
import type { Stores } from '../../src/store/open-stores.ts';

/** Stands in for the child process: one epoch event every 40 ms until `epochs`, or until cancelled. */
const slowRun = (epochs: number): typeof runTrainingJob => async (config, store, opts) => {
  const [saved] = await store.saveRuns([{ log: { name: 'remote', format: 'tfjs_job', series: [], notes: [] }, source: { format: 'tfjs_job', fileName: 'job', contentHash: `h-${opts!.jobId}-${opts!.attempt}` }, status: 'running' }]);
  opts!.onRunCreated?.(saved!.run);
  for (let e = 1; e <= epochs && !opts!.signal?.aborted; e++) {
    opts!.onEvent?.({ type: 'epoch', report: { epoch: e, epochs, loss: 1 / e, accuracy: 0.5, valLoss: null, valAccuracy: null, lr: config.learningRate, seconds: 0.04, samplesPerSecond: 100 } });
    await new Promise((r) => setTimeout(r, 40));
  }
  const cancelled = opts!.signal?.aborted === true;
  const run = await store.setStatus(saved!.run.id, cancelled ? 'killed' : 'finished');
  return { jobId: opts!.jobId!, run, verdict: null, context: null, outcome: cancelled ? { status: 'cancelled', backend: null } : { status: 'failed', error: 'fake', backend: null } };
};

describe('TrainingJobs following jobs a worker runs', () => {
  let dir = '';
  const opened: Stores[] = [];
  const open = () => {
    if (!opened.length) dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-remote-jobs-'));
    const s = openSqliteStores(path.join(dir, 'shared.db'));
    opened.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('relays progress and the end once, and carries a Cancel to the worker', async () => {
    const bot = open();
    const workerStores = open();
    const jobs = new TrainingJobs({ jobs: bot.jobs, runs: bot.runs, concurrency: 0, remotePollMs: 30 });
    await jobs.start();
    const worker = new QueueWorker({ jobs: workerStores.jobs, runs: workerStores.runs, log: silentLogger(), workerId: 'w1', heartbeatMs: 50, pollMs: 30, run: slowRun(6) });
    const config = resolveJobConfig('blobs', {});
    const a = await jobs.enqueue(config, { channelId: 'c1' });
    const seen: JobWatchEvent[] = [];
    const ended = new Promise<JobWatchEvent>((resolve) => jobs.watch(a.id, (e) => void (seen.push(e), e.type === 'finished' && resolve(e))));
    expect(await jobs.queue.position(a.id)).toBe(1); // the bot does not take it
    worker.start();
    const end = await ended;
    expect(end).toMatchObject({ type: 'finished', job: { id: a.id, status: 'failed', workerId: 'w1', error: 'fake' }, result: null });
    expect(seen[0]!.type).toBe('started');
    const epochsSeen = seen.filter((e) => e.type === 'progress').map((e) => (e as { event: { report: { epoch: number } } }).event.report.epoch);
    expect(epochsSeen.length).toBeGreaterThan(0);
    expect(epochsSeen).toEqual([...epochsSeen].sort((x, y) => x - y));
    expect(seen.filter((e) => e.type === 'finished')).toHaveLength(1);
    expect(await jobs.claimReport(a.id)).toBe(false); // delivered, and claimed while delivering

    const b = await jobs.enqueue(resolveJobConfig('blobs', {}), { channelId: 'c1' });
    const bEnded = new Promise<JobWatchEvent>((resolve) => jobs.watch(b.id, (e) => void (e.type === 'finished' && resolve(e))));
    for (let j = await jobs.get(b.id); j?.status !== 'running'; j = await jobs.get(b.id)) await new Promise((r) => setTimeout(r, 20));
    expect(await jobs.cancel(b.id)).toBe(true);
    expect((await bEnded as { job: { status: string } }).job.status).toBe('cancelled');
    await worker.stop();
    await jobs.stop();
  });
});
