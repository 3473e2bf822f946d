import { describe, it, expect } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import { SqliteJobStore } from '../../src/store/sqlite-job-store.ts';
import { JobQueue, type JobExecution } from '../../src/jobs/job-queue.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';
import type { JobRecord } from '../../src/store/job-store.ts';

/** An executor whose jobs end when the test says so (or when cancelled). */
function controllable() {
  const started: string[] = [];
  const finishers = new Map<string, (e: JobExecution) => void>();
  const execute = (job: JobRecord, signal: AbortSignal) =>
    new Promise<JobExecution>((resolve) => {
      started.push(job.id);
      finishers.set(job.id, resolve);
      signal.addEventListener('abort', () => resolve({ status: 'cancelled' }));
    });
  const finish = async (id: string, e: JobExecution = { status: 'finished', runId: `run-${id}`, backend: 'cpu' }) => {
    finishers.get(id)!(e);
    await new Promise((r) => setTimeout(r, 10));
  };
  return { started, execute, finish };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

function setup(concurrency = 1) {
  const db = openDatabase(':memory:');
  const store = new SqliteJobStore(db);
  const ex = controllable();
  let n = 0;
  const finished: JobRecord[] = [];
  const queue = new JobQueue({ store, execute: ex.execute, concurrency, newId: () => `j${++n}`, onFinished: (j) => finished.push(j) });
  return { db, store, ex, queue, finished };
}

const config = resolveJobConfig('blobs');

describe('JobQueue', () => {
  it('runs jobs one at a time in FIFO order by default', async () => {
    const { ex, queue, store, finished } = setup();
    await queue.enqueue(config);
    await queue.enqueue(config, { requestedBy: 'u', channelId: 'c' });
    await queue.enqueue(config);
    await tick();
    expect(ex.started).toEqual(['j1']);
    expect(await queue.position('j3')).toBe(2);
    await ex.finish('j1');
    expect(ex.started).toEqual(['j1', 'j2']);
    await ex.finish('j2');
    await ex.finish('j3');
    await queue.idle();
    expect(finished.map((j) => [j.id, j.status, j.runId])).toEqual([
      ['j1', 'finished', 'run-j1'],
      ['j2', 'finished', 'run-j2'],
      ['j3', 'finished', 'run-j3'],
    ]);
    expect((await store.get('j2'))!.requestedBy).toBe('u');
  });

  it('honours the configured concurrency', async () => {
    const { ex, queue } = setup(2);
    for (let i = 0; i < 3; i++) await queue.enqueue(config);
    await tick();
    expect(ex.started).toEqual(['j1', 'j2']);
    await ex.finish('j2');
    expect(ex.started).toEqual(['j1', 'j2', 'j3']);
  });

  it('cancels queued and running jobs', async () => {
    const { ex, queue, store } = setup();
    await queue.enqueue(config);
    await queue.enqueue(config);
    await tick();
    expect(await queue.cancel('j2')).toBe(true);
    expect((await store.get('j2'))!.status).toBe('cancelled');
    expect(await queue.cancel('j1')).toBe(true);
    expect((await store.get('j1'))!.status).toBe('cancelled');
    expect(await queue.cancel('j1')).toBe(false);
    expect(ex.started).toEqual(['j1']);
  });

  it('records a failing executor as failed and goes on with the next job', async () => {
    const { store, queue } = (() => {
      const store = new SqliteJobStore(openDatabase(':memory:'));
      let n = 0;
      const queue = new JobQueue({
        store,
        newId: () => `j${++n}`,
        execute: async (job) => {
          if (job.id === 'j1') throw new Error('boom');
          return { status: 'crashed', error: 'the job ran out of memory' };
        },
      });
      return { store, queue };
    })();
    await queue.enqueue(config);
    await queue.enqueue(config);
    await queue.idle();
    expect(await store.get('j1')).toMatchObject({ status: 'failed', error: 'boom' });
    expect(await store.get('j2')).toMatchObject({ status: 'crashed', error: 'the job ran out of memory' });
  });

  it('on start, marks jobs a stopped process left running as interrupted, then runs what is queued', async () => {
    const db = openDatabase(':memory:');
    const store = new SqliteJobStore(db);
    await store.enqueue({ id: 'old', config });
    await store.claimNext(); // the previous process died while this ran
    await store.enqueue({ id: 'next', config });
    const ex = controllable();
    const queue = new JobQueue({ store, execute: ex.execute });
    const interrupted = await queue.start();
    expect(interrupted.map((j) => [j.id, j.status])).toEqual([['old', 'interrupted']]);
    await tick();
    expect(ex.started).toEqual(['next']);
  });
});
