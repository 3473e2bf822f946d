/**
 * /train model:<file> data:<file> end to end (issue 19): the real discord.js client against the fake Discord, jobs in
 * child processes, real uploads: a Keras 3 to_json() CNN with an .npz of MNIST digits, a Keras 3 MLP with a CSV of Iris
 * (its rate too high: Rerun with fix takes the rate of a /lrfind run on the same files), the declarative layer spec
 * with the same CSV (its rerun runs a range test itself), and a zip of PNG class folders resized to a CNN's input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTrainingService, stopTrainingService, type TrainingService } from '../support/training-service.ts';
import { FakeDiscord, type FakeAttachment, type FakeInteraction, type FakeMember, type FakeMessage } from '../support/fake-discord.ts';
import { loadConfig } from '../../src/config.ts';
import { parseJobConfig, type CustomJobConfig } from '../../src/jobs/job-config.ts';
import type { JobRecord } from '../../src/store/job-store.ts';
import { digitsMultiNpz, irisCsv, mnistNpz, shapesZip } from '../support/custom-job-files.ts';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'models', name));
const EPHEMERAL = 64;
const SPEC = JSON.stringify({ input: [4], layers: [{ dense: { units: 12, activation: 'relu' } }, { dense: { units: 3 } }] });

describe('/train on your own model and data', () => {
  let fake: FakeDiscord;
  let service: TrainingService;
  let trainer: FakeMember;
  let outsider: FakeMember;
  let config: ReturnType<typeof loadConfig>;
  const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-train-custom-'));

  beforeAll(async () => {
    fake = await FakeDiscord.start();
    const role = fake.oncallRole.id;
    config = loadConfig({ RUNMEDIC_DB: path.join(dir, 'db.sqlite'), DISCORD_API_BASE: fake.apiBase, DISCORD_TOKEN: fake.token, TRAIN_ROLE_ID: role });
    service = await startTrainingService(config, fake.token);
    trainer = fake.addMember('trainer', '0', [role]);
    outsider = fake.addMember('outsider', '0');
  });
  afterAll(async () => {
    if (service) await stopTrainingService(service);
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function upload(name: string, model: { bytes: Uint8Array; name: string }, data: { bytes: Uint8Array; name: string }, extra: Array<{ name: string; type: number; value: string | number }> = [], user = trainer): FakeInteraction {
    const m: FakeAttachment = fake.hostAttachment(model.bytes, model.name, 'application/json');
    const d: FakeAttachment = fake.hostAttachment(data.bytes, data.name);
    return fake.slash({ name, user, options: [{ name: 'model', type: 11, value: m.id }, { name: 'data', type: 11, value: d.id }, ...extra], attachments: [m, d] });
  }

  const jobOf = async (it: FakeInteraction): Promise<JobRecord> => {
    const first = await fake.answerOf(it, 15_000);
    const id = /job `([^`]+)`/.exec(String(first.content))![1]!;
    return (await service.jobs.get(id))!;
  };
  const verdictOf = (job: JobRecord, channelId = fake.general.id, timeoutMs = 25_000): Promise<FakeMessage> =>
    fake.waitFor(() => fake.channelMessages(channelId).find((m) => (m.embeds?.length ?? 0) > 0 && String(m.content).includes(`job \`${job.id}\``)), timeoutMs, `the verdict of job ${job.id}`);

  it('a Keras 3 CNN on an .npz of MNIST digits: progress, then the checklist and chart with how the files were read and trained', async () => {
    const it = upload('train', { bytes: fixture('keras3-mnist-cnn.json'), name: 'cnn.json' }, { bytes: mnistNpz(300), name: 'digits.npz' }, [{ name: 'epochs', type: 4, value: 2 }]);
    const job = await jobOf(it);
    expect(String(fake.responseOf(it)!.content)).toContain('**cnn.json on digits.npz epochs=2**');
    const verdict = await verdictOf(job);
    const done = (await service.jobs.get(job.id))!;
    expect(done.status).toBe('finished');
    const content = String(verdict.content);
    expect(content).toMatch(new RegExp(`trained 2 epochs on \\*\\*${done.backend}\\*\\* at \\d+ samples/s for <@${trainer.user.id}>`));
    expect(content).toContain('· model: cnn.json (Keras to_json())');
    expect(content).toContain('· data: read arrays x, y');
    // The graph step on the native backend (every layer of this CNN has a graph form), op by op elsewhere.
    expect(content).toContain(done.backend === 'tensorflow' ? '· trained as one TensorFlow graph per step' : `· trained op by op through TensorFlow.js: the one-graph step needs the native backend, and this job ran on ${done.backend}`);
    expect(verdict.attachments.map((a) => a.filename)).toEqual(['chart.png']);
    // The stored run: the job's own series and notes; the files' contents stay in the job's config only.
    const run = (await service.store.getRun(done.runId!))!;
    expect(run.name).toBe('cnn.json on digits.npz epochs=2');
    expect(run.epochs).toBe(2);
    expect(run.notes).toContain('model: cnn.json (Keras to_json())');
    expect(JSON.stringify(run.meta)).not.toContain('gzipBase64');
    const config = parseJobConfig(done.config) as CustomJobConfig;
    expect(config.custom.data).toMatchObject({ name: 'digits.npz', bytes: mnistNpz(300).length });
  }, 40_000);

  it('a rate too high on a Keras 3 MLP with an Iris CSV: Rerun with fix, in the bot restarted since, takes the rate an earlier /lrfind of the same files suggested', async () => {
    const model = { bytes: fixture('keras3-iris-mlp.json'), name: 'mlp.json' };
    const data = { bytes: irisCsv(), name: 'iris.csv' };
    const lrfind = await fake.answerOf(upload('lrfind', model, data), 25_000);
    const suggested = Number(/Suggested learning rate: ([\d.e−-]+)/.exec((lrfind.embeds[0] as { description: string }).description)![1]!.replace('−', '-'));
    expect(suggested).toBeGreaterThan(0);
    // The range test is kept in the database, not in the process: a restarted bot (or another shard) finds it.
    expect(service.db.prepare("SELECT origin FROM lr_find_results").pluck().all()).toEqual(['lrfind']);
    await stopTrainingService(service);
    service = await startTrainingService(config, fake.token);

    const job = await jobOf(upload('train', model, data, [{ name: 'lr', type: 10, value: 5 }, { name: 'epochs', type: 4, value: 10 }]));
    const verdict = await verdictOf(job);
    expect(JSON.stringify(verdict.embeds)).toMatch(/Learning rate too high|Divergence|NaN loss/);
    const button = fake.buttonsOf(verdict).find((b) => b.label === 'Rerun with fix')!;
    expect(button.custom_id).toBe(`train:rerun:${job.id}`);

    // Without the training role: refused privately, nothing queued.
    const refused = await fake.answerOf(fake.clickButton({ messageId: verdict.id, customId: button.custom_id!, user: outsider }), 10_000);
    expect(refused.flags & EPHEMERAL).toBe(EPHEMERAL);

    const answer = await fake.answerOf(fake.clickButton({ messageId: verdict.id, customId: button.custom_id!, user: trainer }), 15_000);
    const child = (await service.jobs.list(50)).find((j) => j.parentJobId === job.id)!;
    const childConfig = parseJobConfig(child.config) as CustomJobConfig;
    // The reply shows the rate at three significant digits, the /lrfind embed at two.
    expect(childConfig.learningRate / suggested).toBeGreaterThan(0.94);
    expect(childConfig.learningRate / suggested).toBeLessThan(1.06);
    expect(String(answer.content)).toMatch(/learning rate 5 → [\d.e-]+ \(the range test's suggestion\).*\(its rate from an earlier \/lrfind on the same model and data\)/s);
    // The raw centimetres were flagged too: the rerun normalises them. Nothing else changed; the files are the same.
    expect(String(answer.content)).toContain('inputs normalised from training-split statistics');
    const parentConfig = parseJobConfig(job.config) as CustomJobConfig;
    expect(childConfig.normalizeInputs).toBe(true);
    expect({ ...childConfig, learningRate: 0, normalizeInputs: undefined }).toEqual({ ...parentConfig, learningRate: 0, normalizeInputs: undefined });
    // The rerun trains and reports in the run's thread, with the before/after comparison.
    const thread = await fake.waitFor(() => fake.threads().find((t) => t.starter_message_id === verdict.id), 10_000, 'the run thread');
    await verdictOf(child, thread.id);
    await fake.waitFor(() => fake.channelMessages(thread.id).find((m) => m.attachments.some((a) => a.filename === 'compare.png')), 10_000, 'the comparison');
  }, 60_000);

  it('the declarative spec with the same CSV and RMSProp: a rerun with no earlier range test runs one itself, with RMSProp', async () => {
    const job = await jobOf(upload('train', { bytes: new TextEncoder().encode(SPEC), name: 'spec.json' }, { bytes: irisCsv(), name: 'iris.csv' }, [{ name: 'lr', type: 10, value: 5 }, { name: 'epochs', type: 4, value: 10 }, { name: 'seed', type: 4, value: 3 }, { name: 'optimizer', type: 3, value: 'rmsprop' }]));
    const verdict = await verdictOf(job);
    expect(String(verdict.content)).toContain("· the output layer 'dense_2' is linear: its outputs are trained as logits");
    const answer = await fake.answerOf(fake.clickButton({ messageId: verdict.id, customId: `train:rerun:${job.id}`, user: trainer }), 30_000);
    const child = (await service.jobs.list(50)).find((j) => j.parentJobId === job.id)!;
    const lr = (parseJobConfig(child.config) as CustomJobConfig).learningRate;
    expect(lr).toBeLessThan(5);
    expect(String(answer.content)).toContain(`learning rate 5 → ${Number(lr.toPrecision(3))} (the range test's suggestion)`);
    expect(String(answer.content)).toContain('(its rate from a range test just run on its model and data)');
    expect(parseJobConfig(child.config).optimizer).toBe('rmsprop');
    expect(service.db.prepare('SELECT key, origin FROM lr_find_results WHERE key LIKE ?').all('%:rmsprop')).toEqual([{ key: expect.stringMatching(/^[0-9a-f]{64}:[0-9a-f]{64}::rmsprop$/), origin: 'rerun' }]);
    // Its training is the previous test's story: stopped, so the next job does not queue behind it.
    await service.jobs.cancel(child.id);
  }, 60_000);

  it('a Keras 3 model with two inputs and two outputs on an .npz of digits: trained, its checklist posted, a loss series per output stored', async () => {
    const job = await jobOf(upload('train', { bytes: fixture('keras3-multi-io.json'), name: 'multi.json' }, { bytes: digitsMultiNpz(300, { odd: true }), name: 'digits.npz' }, [{ name: 'epochs', type: 4, value: 2 }]));
    const verdict = await verdictOf(job);
    const done = (await service.jobs.get(job.id))!;
    expect(done.status).toBe('finished');
    const content = String(verdict.content);
    expect(content).toContain("· outputs: 'digit' sparse_categorical_crossentropy (the classifier the checklist judges); 'odd' binary_crossentropy");
    expect(content).toContain("· data: read inputs 'image' ← x_image, 'meta' ← x_meta; labels y");
    expect(verdict.attachments.map((a) => a.filename)).toEqual(['chart.png']);
    const run = (await service.store.getRun(done.runId!))!;
    expect(run.series.map((x) => x.name)).toEqual(expect.arrayContaining(['loss', 'val_loss', 'digit_loss', 'val_digit_loss', 'odd_loss', 'val_odd_loss']));
  }, 60_000);

  it('a zip of PNG class folders, resized to a Keras 3 CNN\'s 16×16×3 input; data that does not fit a model with two outputs, a preset with files and a preset-only fault are refused before anything is queued', async () => {
    const job = await jobOf(upload('train', { bytes: fixture('keras3-png-cnn.json'), name: 'png-cnn.json' }, { bytes: shapesZip(), name: 'shapes.zip' }, [{ name: 'epochs', type: 4, value: 2 }]));
    const verdict = await verdictOf(job);
    const content = String(verdict.content);
    expect(content).toContain('· data: 60 images in 3 class folders');
    expect(content).toContain("· data: resized to the model's input 16×16×3 from 20×20");
    // GlobalAveragePooling2D has no graph form: op by op, and the note names the layer.
    expect(content).toMatch(/· trained op by op through TensorFlow\.js: the one-graph step (does not build layer 'global_average_pooling2d\w*' \(GlobalAveragePooling2D\)|needs the native backend)/);

    // Refused before anything is queued: a one-unit output the class labels cannot train (its data read and fitted to
    // the model in a child process first), a preset with files, a preset-only fault.
    const before = (await service.jobs.list(50)).length;
    const two = upload('train', { bytes: fixture('keras3-two-outputs.json'), name: 'two.json' }, { bytes: irisCsv(), name: 'iris.csv' });
    // Read after the files are downloaded: the deferred answer becomes a private one.
    const twoOutputs = await fake.waitFor(() => two.followUpIds.map((id) => fake.messages.get(id)).find(Boolean), 20_000, 'the refusal');
    expect(twoOutputs.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(twoOutputs.content).toBe(
      "Could not read iris.csv: output 'aux' gives (1,) an example and, with no y_aux array of its own, trains on the class labels (3 classes) with categorical_crossentropy (the job's default): expected 3 units (one per class), or its own targets as y_aux in an .npz with a loss for it in the model's compile config (mean squared error, say)",
    );
    const both = await fake.answerOf(upload('train', { bytes: fixture('keras3-iris-mlp.json'), name: 'm.json' }, { bytes: irisCsv(), name: 'iris.csv' }, [{ name: 'preset', type: 3, value: 'blobs' }]), 10_000);
    expect(both.content).toBe('Give a preset, or a model and data: a job trains one or the other.');
    const fault = await fake.answerOf(upload('train', { bytes: fixture('keras3-iris-mlp.json'), name: 'm.json' }, { bytes: irisCsv(), name: 'iris.csv' }, [{ name: 'fault', type: 3, value: 'dying-relu' }]), 10_000);
    expect(fault.content).toBe("On your own model: the dying-relu fault changes a preset's network; on your own model only the data faults apply.");
    expect((await service.jobs.list(50)).length).toBe(before);
  }, 60_000);
});
