import { describe, it, expect } from 'vitest';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { runTrainingJob, jobRunName } from '../../src/app/run-training-job.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';

describe('runTrainingJob', () => {
  it('stores a live run, its step-level series at the end, and diagnoses it with the job context', async () => {
    const store = SqliteRunStore.open(':memory:');
    const config = resolveJobConfig('blobs', { epochs: 3, limit: 300, learningRate: 0.05 }, { sortedLabels: true });
    let liveStatus = '';
    const r = await runTrainingJob(config, store, { onRunCreated: (run) => (liveStatus = run.status) });
    expect(liveStatus).toBe('running');
    expect(r.outcome.status).toBe('finished');
    expect(r.run.status).toBe('finished');
    const run = (await store.getRun(r.run.id))!;
    expect(run.name).toBe('blobs lr=0.05 epochs=3 sorted-labels');
    expect(run.series.map((s) => s.name).sort()).toEqual(['accuracy', 'batch_loss', 'grad_norm', 'loss', 'lr', 'val_accuracy', 'val_loss']);
    expect(run.series.find((s) => s.name === 'val_loss')!.values.length).toBe(3);
    expect(run.series.find((s) => s.name === 'batch_loss')!.values.length).toBe(3 * Math.ceil(240 / 32));
    expect(r.verdict!.items.find((i) => i.id === 'unshuffled_data')!.status).toBe('fail');
    expect(r.context!.dataset!.trainSize).toBe(240);
    await store.close();
  }, 90_000);

  it('names runs by what differs from the preset', () => {
    expect(jobRunName(resolveJobConfig('seed-cnn', { learningRate: 0.5, epochs: 5 }, { labelNoise: 0.4 }))).toBe('seed-cnn lr=0.5 label-noise=0.4');
  });
});
