import { describe, it, expect } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import { SqliteJobStore } from '../../src/store/sqlite-job-store.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { SqliteRangeTestStore } from '../../src/store/sqlite-range-test-store.ts';
import { TrainingJobs, type JobWatchEvent } from '../../src/app/training-jobs.ts';
import type { runTrainingJob } from '../../src/app/run-training-job.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';
import type { Series } from '../../src/domain/run.ts';
import type { Verdict } from '../../src/domain/verdict.ts';

const epochs = (name: string, key: string, split: 'train' | 'val', values: number[]): Series => ({
  key, split, name, direction: 'lower', cadence: 'epoch',
  steps: Float64Array.from(values, (_, i) => i + 1), epochs: Float64Array.from(values, (_, i) => i + 1), wallTimes: null, values: Float64Array.from(values),
});

/** Stands in for the child process: stores a run whose loss explodes, as a too-high learning rate does. */
const divergingRun: typeof runTrainingJob = async (config, store, opts) => {
  const [saved] = await store.saveRuns([{ log: { name: 'fake', format: 'tfjs_job', series: [], notes: [] }, source: { format: 'tfjs_job', fileName: `job:${opts!.jobId}`, contentHash: `h-${opts!.jobId}` }, status: 'running' }]);
  opts!.onRunCreated?.(saved!.run);
  const loss = [1.1, 0.9, 1.5, 3, 8, 20, 60, 150];
  opts!.onEvent?.({ type: 'epoch', report: { epoch: 1, epochs: 8, loss: 1.1, accuracy: 0.3, valLoss: null, valAccuracy: null, lr: config.learningRate, seconds: 1, samplesPerSecond: 100 } });
  await store.appendPoints(saved!.run.id, [epochs('loss', 'loss', 'train', loss), epochs('val_loss', 'loss', 'val', loss.map((v) => v * 1.1))]);
  const run = await store.setStatus(saved!.run.id, 'finished');
  const verdict: Verdict = { run: { id: run.id, name: run.name, format: 'tfjs_job', points: 16, epochs: 8 }, status: 'fail', items: [{ id: 'divergence', area: 'convergence', status: 'fail', title: 'diverges', evidence: {}, fix: '', marks: [] }] };
  return { jobId: opts!.jobId!, run, verdict, context: { classes: 3 }, outcome: { status: 'cancelled', backend: null } };
};

describe('TrainingJobs', () => {
  it('fans events out to watchers, records the run, reviews verdicts, and reruns a finished job with its fix', async () => {
    const db = openDatabase(':memory:');
    const runs = new SqliteRunStore(db);
    const reviewed: Verdict[] = [];
    const jobs = new TrainingJobs({ jobs: new SqliteJobStore(db), runs, run: divergingRun, afterVerdict: async (v) => void reviewed.push(v) });
    const config = resolveJobConfig('blobs', { learningRate: 0.5, optimizer: 'sgd' });
    const job = await jobs.enqueue(config, { requestedBy: 'u1', channelId: 'c1' });
    const seen: JobWatchEvent['type'][] = [];
    jobs.watch(job.id, (e) => void seen.push(e.type));
    await jobs.queue.idle();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen[0]).toBe('started');
    expect(seen.at(-1)).toBe('finished');
    const done = (await jobs.get(job.id))!;
    // The fake reported 'cancelled': the queue records what the job's outcome said.
    expect(done.status).toBe('cancelled');
    expect(done.runId).toMatch(/^r_/);
    expect(reviewed.at(-1)!.items[0]!.id).toBe('divergence');

    // fixFor only works on finished jobs: mark it finished as a real run would be.
    await new SqliteJobStore(db).update(job.id, { status: 'finished' });
    const fix = (await jobs.fixFor(job.id))!;
    expect(fix.verdict.items.find((i) => i.id === 'divergence')!.status).toBe('fail');
    expect(fix.config.learningRate).toBeCloseTo(0.05, 12);
    expect(fix.changes[0]!.description).toBe('learning rate 0.5 → 0.05');
    expect(await jobs.fixFor('nope')).toBeNull();
  });

  it('rerunWithFix: started once, then already; refused for unfinished jobs and verdicts with nothing to change', async () => {
    const db = openDatabase(':memory:');
    const runs = new SqliteRunStore(db);
    const store = new SqliteJobStore(db);
    // A range test that suggests nothing (the loss never fell): the rate is divided by 10.
    const jobs = new TrainingJobs({ jobs: store, runs, run: divergingRun, rangeTest: async () => null });
    const job = await jobs.enqueue(resolveJobConfig('blobs', { learningRate: 0.5, optimizer: 'sgd' }));
    await jobs.queue.idle();
    expect(await jobs.rerunWithFix(job.id)).toMatchObject({ status: 'not-finished', parent: { id: job.id, status: 'cancelled' } });
    expect(await jobs.rerunWithFix('nope')).toEqual({ status: 'not-finished', parent: null });

    await store.update(job.id, { status: 'finished' });
    await jobs.queue.stop(); // keep the rerun queued: this test looks at the queue, not at training
    const first = await jobs.rerunWithFix(job.id, { requestedBy: 'u2', channelId: 'c2' });
    expect(first).toMatchObject({ status: 'started', job: { parentJobId: job.id, requestedBy: 'u2', channelId: 'c2', status: 'queued' } });
    expect(first.status === 'started' && first.changes.map((c) => c.description)).toEqual(['learning rate 0.5 → 0.05']);
    const second = await jobs.rerunWithFix(job.id);
    expect(second).toMatchObject({ status: 'already', job: { id: first.status === 'started' ? first.job.id : '' } });

    // A run whose verdict has nothing a config change fixes (a flattening loss; no validation curve, though the job
    // had a split: no change would make the next job differ).
    const calm = await jobs.enqueue(resolveJobConfig('blobs'));
    const [saved] = await runs.saveRuns([{ log: { name: 'calm', format: 'tfjs_job', series: [epochs('loss', 'loss', 'train', [1, 0.5, 0.3, 0.25, 0.24, 0.24, 0.24, 0.24])], notes: [] }, source: { format: 'tfjs_job', fileName: 'calm', contentHash: 'calm' } }]);
    await store.update(calm.id, { status: 'finished', runId: saved!.run.id });
    const r = await jobs.rerunWithFix(calm.id);
    expect(r).toMatchObject({ status: 'nothing-to-fix', parent: { id: calm.id } });
  });

  it("rerunWithFix takes a range test's rate for any optimizer: one test for clicks at once, stored for the next rerun of the same setup", async () => {
    const db = openDatabase(':memory:');
    const runs = new SqliteRunStore(db);
    const store = new SqliteJobStore(db);
    const tested: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const rangeTest = async (c: { optimizer: string; learningRate: number }) => {
      tested.push(c.optimizer);
      await gate;
      return 0.0123456;
    };
    const jobs = new TrainingJobs({ jobs: store, runs, run: divergingRun, rangeTest, rangeTests: new SqliteRangeTestStore(db) });
    const config = resolveJobConfig('blobs', { learningRate: 0.5, optimizer: 'momentum' });
    const job = await jobs.enqueue(config);
    await jobs.queue.idle();
    await store.update(job.id, { status: 'finished' });
    await jobs.queue.stop();
    // Two clicks at once: the first defers its answer and runs the test, the second waits for it, privately.
    const hooks: string[] = [];
    const clicks = Promise.all([
      jobs.rerunWithFix(job.id, {}, { beforeRangeTest: async () => void hooks.push('defer'), beforeWaitingForAnotherClick: async () => void hooks.push('wait') }),
      jobs.rerunWithFix(job.id, {}, { beforeRangeTest: async () => void hooks.push('defer'), beforeWaitingForAnotherClick: async () => void hooks.push('wait') }),
    ]);
    await new Promise((r) => setTimeout(r, 20));
    release();
    const [first, second] = await clicks;
    expect(tested).toEqual(['momentum']);
    expect(hooks.sort()).toEqual(['defer', 'wait']);
    expect(first).toMatchObject({ status: 'started', rangeTest: { rate: 0.0123456, from: 'new' } });
    expect(first.status === 'started' && first.changes.map((c) => c.description)).toEqual(["learning rate 0.5 → 0.0123 (the range test's suggestion)"]);
    expect(second).toMatchObject({ status: 'already', job: { id: first.status === 'started' ? first.job.id : '' } });
    expect((first.status === 'started' && first.job.config) as { learningRate: number }).toMatchObject({ learningRate: 0.0123, optimizer: 'momentum' });

    // Another job of the same preset and settings (its rate aside): the stored result, no second test.
    const again = await jobs.enqueue({ ...config, learningRate: 2 });
    await store.update(again.id, { status: 'finished', runId: (await store.get(job.id))!.runId });
    const r = await jobs.rerunWithFix(again.id);
    expect(r).toMatchObject({ status: 'started', rangeTest: { rate: 0.0123456, from: 'earlier' } });
    expect(tested).toEqual(['momentum']);
  });

  it('after a restart: an end nobody watched goes to the first late watcher once; earlier ends are listed apart; a stop is not an end to post', async () => {
    const db = openDatabase(':memory:');
    const runs = new SqliteRunStore(db);
    const store = new SqliteJobStore(db);
    const config = resolveJobConfig('blobs', { learningRate: 0.5, optimizer: 'sgd' });
    // Left by an earlier process: one running (its process died), one of the CLI (no Discord target).
    await store.enqueue({ id: 'old', config, requestedBy: 'u1', channelId: 'c1' });
    await store.claimNext();
    await store.enqueue({ id: 'cli', config });
    await store.claimNext();

    const jobs = new TrainingJobs({ jobs: store, runs, run: divergingRun });
    expect((await jobs.start()).map((j) => j.id)).toEqual(['old', 'cli']);
    expect(await jobs.start()).toHaveLength(2); // idempotent: the same answer, nothing marked twice
    const job = await jobs.enqueue(config, { requestedBy: 'u1', channelId: 'c1' });
    await jobs.queue.idle(); // ended before anyone watched it
    const pending = await jobs.pendingReports();
    expect(pending.live.map((j) => j.id)).toEqual([job.id]);
    expect(pending.ended.map((j) => [j.id, j.status])).toEqual([['old', 'interrupted']]);

    const seen: JobWatchEvent[] = [];
    jobs.watch(job.id, (e) => void seen.push(e));
    jobs.watch(job.id, (e) => void seen.push(e));
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.map((e) => e.type)).toEqual(['finished']);
    expect((seen[0] as Extract<JobWatchEvent, { type: 'finished' }>).result?.verdict?.items[0]!.id).toBe('divergence');
    expect((await jobs.get(job.id))!.reportedAt).not.toBeNull();
    expect((await jobs.pendingReports()).live).toHaveLength(0);

    // A job the service's stop interrupts is not posted by the stopping process: the next start reports it.
    const blocking: typeof runTrainingJob = (_c, _s, opts) =>
      new Promise((_, reject) => opts!.signal!.addEventListener('abort', () => reject(new Error('killed'))));
    const stopping = new TrainingJobs({ jobs: store, runs, run: blocking });
    await stopping.start();
    const long = await stopping.enqueue(config, { requestedBy: 'u1', channelId: 'c1' });
    const events: string[] = [];
    stopping.watch(long.id, (e) => void events.push(e.type));
    await new Promise((r) => setTimeout(r, 20));
    await stopping.stop();
    await new Promise((r) => setTimeout(r, 20));
    expect(events).not.toContain('finished');
    expect((await store.get(long.id))).toMatchObject({ status: 'interrupted', reportedAt: null });
    const next = new TrainingJobs({ jobs: store, runs, run: blocking });
    expect((await next.pendingReports()).ended.map((j) => j.id)).toEqual(['old', long.id]);
  });
});
