import { describe, it, expect } from 'vitest';
import { openDatabase, migrate } from '../../src/store/database.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { SqliteJobStore } from '../../src/store/sqlite-job-store.ts';
import { jobReportTarget } from '../../src/store/job-store.ts';
import { storeBackends, useStoreBackends } from '../support/store-backends.ts';

useStoreBackends();

describe.each(storeBackends())('JobStore on $name', (backend) => {
  const store = async () => {
    let t = 1000;
    return (await backend.stores(() => t++)).jobs;
  };
  it('claims queued jobs in FIFO order, once each', async () => {
    const s = await store();
    await s.enqueue({ id: 'a', config: { preset: 'blobs' } });
    await s.enqueue({ id: 'b', config: { preset: 'circles' }, requestedBy: 'u1', channelId: 'c1', parentJobId: 'a' });
    const first = await s.claimNext();
    expect(first).toMatchObject({ id: 'a', status: 'running', config: { preset: 'blobs' } });
    expect(first!.startedAt).toBeGreaterThan(first!.createdAt);
    const second = await s.claimNext();
    expect(second).toMatchObject({ id: 'b', requestedBy: 'u1', channelId: 'c1', parentJobId: 'a' });
    expect(await s.claimNext()).toBeNull();
  });

  it('updates status, run, backend and context; finds a job by its run', async () => {
    const s = await store();
    await s.enqueue({ id: 'a', config: {} });
    await s.claimNext();
    await s.update('a', { status: 'finished', runId: 'r1', backend: 'wasm', context: { classes: 3 }, finishedAt: 5 });
    expect(await s.getByRunId('r1')).toMatchObject({ id: 'a', status: 'finished', backend: 'wasm', context: { classes: 3 }, finishedAt: 5 });
    await expect(s.update('nope', { status: 'failed' })).rejects.toThrow(/no job nope/);
  });

  it('marks jobs left running as interrupted and lists by status', async () => {
    const s = await store();
    for (const id of ['a', 'b', 'c']) await s.enqueue({ id, config: {} });
    await s.claimNext();
    const interrupted = await s.markInterrupted();
    expect(interrupted.map((j) => [j.id, j.status])).toEqual([['a', 'interrupted']]);
    expect((await s.list({ statuses: ['queued'] })).map((j) => j.id)).toEqual(['c', 'b']);
    expect((await s.list({ limit: 2 })).map((j) => j.id)).toEqual(['c', 'b']);
    expect(await s.countByStatus('queued')).toBe(2);
  });

  it('enqueues one live rerun per job; a failed rerun may be tried again', async () => {
    const s = await store();
    await s.enqueue({ id: 'p', config: {} });
    const first = await s.enqueueRerun({ id: 'r1', config: { lr: 1 }, parentJobId: 'p', requestedBy: 'u' });
    expect(first).toMatchObject({ created: true, job: { id: 'r1', status: 'queued', parentJobId: 'p', requestedBy: 'u' } });
    const again = await Promise.all([s.enqueueRerun({ id: 'r2', config: {}, parentJobId: 'p' }), s.enqueueRerun({ id: 'r3', config: {}, parentJobId: 'p' })]);
    expect(again.map((r) => [r.created, r.job.id])).toEqual([[false, 'r1'], [false, 'r1']]);
    expect(await s.get('r2')).toBeNull();
    await s.update('r1', { status: 'finished' });
    expect((await s.liveRerunOf('p'))?.id).toBe('r1');
    await s.update('r1', { status: 'crashed' });
    expect(await s.liveRerunOf('p')).toBeNull();
    expect(await s.enqueueRerun({ id: 'r4', config: {}, parentJobId: 'p' })).toMatchObject({ created: true, job: { id: 'r4' } });
  });

  it('records a job run outside the queue as running, never claimed by the queue', async () => {
    const s = await store();
    const j = await s.recordRunning({ id: 'cli1', config: { preset: 'blobs' }, requestedBy: 'cli' });
    expect(j).toMatchObject({ status: 'running', requestedBy: 'cli' });
    expect(j.startedAt).toBe(j.createdAt);
    expect(await s.claimNext()).toBeNull();
  });

  it('claims the report of an ended job once; lists ended jobs with a Discord target nobody reported', async () => {
    const s = await store();
    await s.enqueue({ id: 'cli', config: {} }); // no target: nobody to tell in Discord
    await s.enqueue({ id: 'a', config: {}, channelId: 'c1' });
    await s.enqueue({ id: 'b', config: {}, channelId: 'c1' });
    await s.enqueue({ id: 'q', config: {}, channelId: 'c1' });
    await s.claimNext();
    await s.claimNext();
    await s.claimNext();
    expect(await s.claimReport('a')).toBe(false); // still running: nothing to report yet
    await s.update('cli', { status: 'finished' });
    await s.update('a', { status: 'finished', reportChannelId: 't1' });
    await s.markInterrupted(); // b
    expect((await s.listUnreported()).map((j) => [j.id, j.status, jobReportTarget(j)])).toEqual([
      ['a', 'finished', 't1'],
      ['b', 'interrupted', 'c1'],
    ]);
    const claims = await Promise.all([s.claimReport('a'), s.claimReport('a')]);
    expect(claims.sort()).toEqual([false, true]);
    expect((await s.get('a'))!.reportedAt).not.toBeNull();
    expect((await s.listUnreported()).map((j) => j.id)).toEqual(['b']);
    expect(await s.claimReport('q')).toBe(false);
    expect(await s.claimReport('nope')).toBe(false);
  });


  it('lets a worker claim, beat, report progress and finish a job; a cancel from another process reaches it', async () => {
    const s = await store();
    await s.enqueue({ id: 'a', config: {} });
    await s.enqueue({ id: 'b', config: {} });
    const a = await s.claimFor('w1');
    expect(a).toMatchObject({ id: 'a', status: 'running', workerId: 'w1', attempts: 1 });
    expect(await s.heartbeat('a', 'w1', { type: 'epoch', report: { epoch: 1 } })).toEqual({ owned: true, cancelRequested: false });
    expect((await s.get('a'))!.progress).toEqual({ type: 'epoch', report: { epoch: 1 } });
    expect(await s.heartbeat('a', 'w2')).toEqual({ owned: false, cancelRequested: false });
    expect(await s.requestCancel('b')).toMatchObject({ id: 'b', status: 'cancelled' });
    expect(await s.requestCancel('a')).toMatchObject({ id: 'a', status: 'running', cancelRequestedAt: expect.any(Number) });
    expect(await s.heartbeat('a', 'w1')).toEqual({ owned: true, cancelRequested: true });
    expect((await s.get('a'))!.progress).toEqual({ type: 'epoch', report: { epoch: 1 } });
    expect(await s.finishOwned('a', 'w2', { status: 'finished' })).toBeNull();
    expect(await s.finishOwned('a', 'w1', { status: 'cancelled', finishedAt: 9 })).toMatchObject({ status: 'cancelled', finishedAt: 9 });
    expect(await s.requestCancel('a')).toBeNull();
    expect(await s.finishOwned('a', 'w1', { status: 'finished' })).toBeNull();
  });

  it('requeues the job of a worker that stopped beating once, then reports it interrupted; a restarted bot leaves workers alone', async () => {
    const s = await store();
    await s.enqueue({ id: 'a', config: {} });
    await s.claimFor('w1');
    expect(await s.markInterrupted()).toEqual([]);
    expect(await s.reapStale(0)).toEqual({ retried: [], interrupted: [] });
    const first = await s.reapStale(1e12);
    expect(first.retried.map((j) => [j.id, j.status, j.workerId, j.attempts])).toEqual([['a', 'queued', null, 1]]);
    expect(await s.heartbeat('a', 'w1')).toEqual({ owned: false, cancelRequested: false });
    expect(await s.finishOwned('a', 'w1', { status: 'finished' })).toBeNull();
    expect(await s.claimFor('w2')).toMatchObject({ id: 'a', workerId: 'w2', attempts: 2 });
    const second = await s.reapStale(1e12);
    expect(second.interrupted.map((j) => [j.id, j.status])).toEqual([['a', 'interrupted']]);
    expect(second.interrupted[0]!.error).toMatch(/w2, attempt 2/);
    expect(await s.claimFor('w3')).toBeNull();
  });
});

describe('SqliteJobStore', () => {
  it('migration 7 counts jobs that ended before it as reported, so an upgrade does not post old results', async () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.filter((m) => m.version < 7) });
    const insert = db.prepare(`INSERT INTO jobs (id, status, config, channel_id, created_at, finished_at) VALUES (?, ?, '{}', 'c1', 1, ?)`);
    insert.run('old', 'finished', 5);
    insert.run('gone', 'interrupted', null);
    insert.run('waiting', 'queued', null);
    insert.run('busy', 'running', null);
    migrate(db, MIGRATIONS);
    const s = new SqliteJobStore(db);
    expect((await s.get('old'))!.reportedAt).toBe(5);
    expect((await s.get('gone'))!.reportedAt).toBe(1);
    expect((await s.get('waiting'))).toMatchObject({ reportedAt: null, reportChannelId: null });
    // A job an old process left running is still reported interrupted at the next start.
    await s.markInterrupted();
    expect((await s.listUnreported()).map((j) => j.id)).toEqual(['busy']);
  });
});
