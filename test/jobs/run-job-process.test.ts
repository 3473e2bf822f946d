import { describe, it, expect } from 'vitest';
import { startJobProcess, type JobEvent } from '../../src/jobs/run-job-process.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('jobs in a child process', () => {
  it('streams backend, data, epochs and returns the result', async () => {
    const events: JobEvent[] = [];
    const job = startJobProcess(resolveJobConfig('blobs', { epochs: 2, limit: 200 }), { onEvent: (e) => events.push(e) });
    expect(job.pid).not.toBe(process.pid);
    const outcome = await job.done;
    expect(outcome.status).toBe('finished');
    if (outcome.status !== 'finished') return;
    expect(outcome.result.meta.epochsRun).toBe(2);
    expect(outcome.result.series.find((s) => s.name === 'batch_loss')!.values).toBeInstanceOf(Float64Array);
    expect(events[0]!.type).toBe('backend');
    expect(events.filter((e) => e.type === 'epoch').map((e) => (e.type === 'epoch' ? e.report.epoch : 0))).toEqual([1, 2]);
    expect(outcome.backend!.name).toBe(outcome.result.meta.backend);
  }, 60_000);

  it('cancel kills the child', async () => {
    let cancelAfterFirstEpoch: () => void = () => {};
    const job = startJobProcess(resolveJobConfig('blobs', { epochs: 500, limit: 400 }), { backendOrder: 'cpu', onEvent: (e) => e.type === 'epoch' && cancelAfterFirstEpoch() });
    cancelAfterFirstEpoch = () => job.cancel();
    const outcome = await job.done;
    expect(outcome.status).toBe('cancelled');
    expect(isAlive(job.pid!)).toBe(false);
  }, 60_000);

  it('a job that throws is reported as failed with its message; the parent lives on', async () => {
    const outcome = await startJobProcess(resolveJobConfig('blobs', { epochs: 3, limit: 100 }), { crash: 'throw', backendOrder: 'cpu' }).done;
    expect(outcome).toMatchObject({ status: 'failed', error: 'deliberate crash (test)' });
  }, 60_000);

  it('a child that exits hard or runs out of memory is reported as crashed', async () => {
    // Both at once: child start-up dominates, and the two must not disturb each other either.
    const [exit, oom] = await Promise.all([
      startJobProcess(resolveJobConfig('blobs', { epochs: 3, limit: 100 }), { crash: 'exit', backendOrder: 'cpu' }).done,
      startJobProcess(resolveJobConfig('blobs', { epochs: 3, limit: 100 }), { crash: 'oom', maxOldSpaceMb: 96, backendOrder: 'cpu' }).done,
    ]);
    expect(exit).toMatchObject({ status: 'crashed', exitCode: 70 });
    expect(oom.status).toBe('crashed');
    if (oom.status === 'crashed') expect(oom.error).toMatch(/out of memory/);
    // Still here, still working.
    expect(process.memoryUsage().heapUsed).toBeGreaterThan(0);
  }, 120_000);

  it('an invalid config is a failure with the offending path, not a crash', async () => {
    const bad = { ...resolveJobConfig('blobs'), learningRate: -1 };
    const outcome = await startJobProcess(bad, { backendOrder: 'cpu' }).done;
    expect(outcome.status).toBe('failed');
    if (outcome.status === 'failed') expect(outcome.error).toMatch(/learningRate/);
  }, 60_000);
});
