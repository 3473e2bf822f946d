/** /train and /jobs end to end: the real discord.js client against the fake Discord, jobs in child processes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maybeWriteRecordedPage } from '../support/discord-html.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTrainingService, stopTrainingService, type TrainingService } from '../support/training-service.ts';
import { FakeDiscord, type FakeMember } from '../support/fake-discord.ts';
import { loadConfig } from '../../src/config.ts';
import { TrainingJobs } from '../../src/app/training-jobs.ts';


async function until<T>(f: () => T | undefined | null | false, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('/train and /jobs', () => {
  let fake: FakeDiscord;
  let service: TrainingService;
  let jobs: TrainingJobs;
  let outsider: FakeMember;
  let trainer: FakeMember;
  // A role the guild really has (Discord resolves member roles against the guild's role list).
  let TRAINER_ROLE = '';
  const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-train-'));

  beforeAll(async () => {
    fake = await FakeDiscord.start();
    TRAINER_ROLE = fake.oncallRole.id;
    const config = loadConfig({ RUNMEDIC_DB: path.join(dir, 'db.sqlite'), DISCORD_API_BASE: fake.apiBase, DISCORD_TOKEN: fake.token, TRAIN_ROLE_ID: TRAINER_ROLE });
    service = await startTrainingService(config, fake.token);
    jobs = service.jobs;
    await service.alerts.configure({ guildId: fake.guildId, channelId: fake.alerts.id, roleId: fake.oncallRole.id, by: null });
    outsider = fake.addMember('outsider', '0');
    trainer = fake.addMember('trainer', '0', [TRAINER_ROLE]);
  });
  afterAll(async () => {
    // RUNMEDIC_FACES_HTML=dir writes what was posted as a page to look at (test/support/discord-html.ts).
    if (fake) await maybeWriteRecordedPage(fake, 'train');
    if (service) await stopTrainingService(service);
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a member without the training role', async () => {
    const it = fake.slash({ name: 'train', user: outsider, options: [{ name: 'preset', type: 3, value: 'blobs' }] });
    const answer = await fake.answerOf(it, 10_000);
    expect(answer.content).toContain(`<@&${TRAINER_ROLE}>`);
    expect(await jobs.list()).toHaveLength(0);
  });

  it('runs a job for a member with the role: progress edits with Cancel, then the verdict in the channel', async () => {
    const it = fake.slash({
      name: 'train',
      user: trainer,
      options: [
        { name: 'preset', type: 3, value: 'blobs' },
        { name: 'epochs', type: 4, value: 3 },
        { name: 'limit', type: 4, value: 200 },
        { name: 'fault', type: 3, value: 'sorted-labels' },
      ],
    });
    const first = await fake.answerOf(it, 10_000);
    expect(first.content).toContain('blobs epochs=3 sorted-labels');
    expect(fake.buttonsOf(first)[0]!.label).toBe('Cancel');
    const [job] = await jobs.list();
    const verdictMessage = await until(() => fake.channelMessages(it.channelId).find((m) => (m.embeds?.length ?? 0) > 0 && String(m.content).includes(job!.id)), 90_000);
    expect(String(verdictMessage.content)).toContain(`<@${trainer.user.id}>`);
    expect(verdictMessage.attachments[0]!.filename).toBe('chart.png');
    const buttons = fake.buttonsOf(verdictMessage);
    expect(buttons.map((b) => b.custom_id)).toContain(`train:rerun:${job!.id}`);
    const progress = fake.responseOf(it)!;
    expect(progress.content).toContain('finished');
    expect(fake.buttonsOf(progress)).toHaveLength(0);
    expect((await jobs.get(job!.id))!.status).toBe('finished');

    const list = fake.slash({ name: 'jobs', user: outsider });
    const listed = await fake.answerOf(list, 10_000);
    expect(listed.content).toContain(`\`${job!.id}\` **finished** blobs epochs=3 sorted-labels`);
  }, 120_000);

  it("a job's divergence pings the alert role once, though the run is reviewed after every epoch", async () => {
    const it = fake.slash({
      name: 'train',
      user: trainer,
      options: [
        { name: 'preset', type: 3, value: 'blobs' },
        { name: 'optimizer', type: 3, value: 'sgd' },
        { name: 'lr', type: 10, value: 30 },
        { name: 'epochs', type: 4, value: 5 },
        { name: 'limit', type: 4, value: 300 },
      ],
    });
    await fake.answerOf(it, 10_000);
    const job = (await jobs.list())[0]!;
    await until(() => fake.channelMessages(it.channelId).find((m) => String(m.content).includes(job.id) && (m.embeds?.length ?? 0) > 0), 90_000);
    const runId = (await jobs.get(job.id))!.runId!;
    expect(runId).toMatch(/^r_/);
    const pingsFor = () => fake.channelMessages(fake.alerts.id).filter((m) => String(m.content).includes(`<@&${fake.oncallRole.id}>`) && JSON.stringify(m).includes(runId));
    const pings = await until(() => pingsFor().length > 0 && pingsFor(), 20_000);
    await new Promise((r) => setTimeout(r, 1500)); // a second ping would be on its way by now
    expect(pingsFor()).toHaveLength(1);
    // lr 30 blows up: the loss diverges or turns NaN first, depending on the backend's arithmetic; either is the ping.
    expect(String(pings[0]!.content)).toMatch(/Divergence|NaN loss/);
  }, 120_000);
});
