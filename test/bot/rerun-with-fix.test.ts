/**
 * "Rerun with fix" end to end: the real discord.js client against the fake Discord, jobs in child processes. A job
 * that diverges, a click on its verdict's button, the fixed job queued and linked to the old one, and at its end the
 * new checklist and the before/after comparison chart in the old run's thread. Also /diagnose of a job-made run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTrainingService, stopTrainingService, type TrainingService } from '../support/training-service.ts';
import { FakeDiscord, type FakeMember, type FakeMessage } from '../support/fake-discord.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteJobStore } from '../../src/store/sqlite-job-store.ts';
import { TrainingJobs } from '../../src/app/training-jobs.ts';
import type { JobRecord } from '../../src/store/job-store.ts';

/** SHOW_MESSAGES=1 prints what a person would read (the embeds, the click answers), to review wording. */
const show = (text: string) => {
  if (process.env.SHOW_MESSAGES) console.log(text);
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const EPHEMERAL = 64;

/** An embed as a person reads it: title, description, fields, footer. */
function embedText(m: FakeMessage): string {
  const lines: string[] = [String(m.content ?? '')];
  for (const e of (m.embeds ?? []) as any[]) {
    lines.push(`[${e.title}]`, e.description ?? '');
    for (const f of e.fields ?? []) lines.push(`  ${f.name}`, `    ${String(f.value).replace(/\n/g, '\n    ')}`);
    if (e.footer?.text) lines.push(`  (${e.footer.text})`);
  }
  lines.push(...m.attachments.map((a) => `  <attachment ${a.filename}, ${a.bytes.length} bytes>`));
  return lines.join('\n');
}

describe('Rerun with fix', () => {
  let fake: FakeDiscord;
  let service: TrainingService;
  let jobStore: SqliteJobStore;
  let jobs: TrainingJobs;
  let outsider: FakeMember;
  let trainer: FakeMember;
  let TRAINER_ROLE = '';
  const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-rerun-'));
  // Set by the first test, read by the later ones.
  let parent: JobRecord;
  let verdictMessage: FakeMessage;
  let rerunId = '';

  beforeAll(async () => {
    fake = await FakeDiscord.start();
    TRAINER_ROLE = fake.oncallRole.id;
    const config = loadConfig({ RUNMEDIC_DB: path.join(dir, 'db.sqlite'), DISCORD_API_BASE: fake.apiBase, DISCORD_TOKEN: fake.token, TRAIN_ROLE_ID: TRAINER_ROLE });
    service = await startTrainingService(config, fake.token);
    ({ jobStore, jobs } = service);
    outsider = fake.addMember('outsider', '0');
    trainer = fake.addMember('trainer', '0', [TRAINER_ROLE]);
  });
  afterAll(async () => {
    if (service) await stopTrainingService(service);
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a diverging job gets a verdict with a Rerun with fix button', async () => {
    const t0 = Date.now();
    const it = fake.slash({
      name: 'train',
      user: trainer,
      options: [
        { name: 'preset', type: 3, value: 'blobs' },
        { name: 'optimizer', type: 3, value: 'sgd' },
        { name: 'lr', type: 10, value: 30 },
        { name: 'epochs', type: 4, value: 4 },
        { name: 'limit', type: 4, value: 300 },
      ],
    });
    await fake.answerOf(it, 10_000);
    parent = (await jobs.list())[0]!;
    verdictMessage = await fake.waitFor(
      () => fake.channelMessages(it.channelId).find((m) => (m.embeds?.length ?? 0) > 0 && String(m.content).includes(parent.id)),
      90_000,
      'the first job’s verdict',
    );
    show(`first job: ${Date.now() - t0} ms from /train to its verdict\n${embedText(verdictMessage)}`);
    parent = (await jobs.get(parent.id))!;
    expect(parent.status).toBe('finished');
    // lr 30 blows up: divergence, or a NaN loss that explains it (folded under it: "↳ also explains what looks like: … Divergence").
    expect(JSON.stringify((verdictMessage.embeds[0] as any).fields)).toMatch(/Divergence/);
    expect(fake.buttonsOf(verdictMessage).find((b) => b.label === 'Rerun with fix')?.custom_id).toBe(`train:rerun:${parent.id}`);
  }, 120_000);

  it('is refused, privately, to a member without the training role', async () => {
    const click = fake.clickButton({ messageId: verdictMessage.id, customId: `train:rerun:${parent.id}`, user: outsider });
    const answer = await fake.answerOf(click, 10_000);
    expect(answer.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(answer.content).toContain(`<@&${TRAINER_ROLE}>`);
    expect(await jobStore.liveRerunOf(parent.id)).toBeNull();
  });

  it('queues one fixed job linked to the old one, however many clicks arrive at once, at the rate a range test of the preset suggests', async () => {
    const t0 = Date.now();
    const clicks = [1, 2].map(() => fake.clickButton({ messageId: verdictMessage.id, customId: `train:rerun:${parent.id}`, user: trainer }));
    // The range test runs in a child process first (seconds): both clicks are acknowledged, then answered.
    const answers = await Promise.all(clicks.map((c) => fake.answerOf(c, 40_000)));
    const children = (await jobs.list(50)).filter((j) => j.parentJobId === parent.id);
    expect(children).toHaveLength(1);
    const child = children[0]!;
    rerunId = child.id;

    // One click started it (public), the other was told it already had been (private).
    const started = answers.find((a) => !(a.flags & EPHEMERAL))!;
    const already = answers.find((a) => a.flags & EPHEMERAL)!;
    show(`clicks answered in ${Date.now() - t0} ms:\n  ${started.content}\n  ${already.content}`);
    expect(started.content).toContain(`as job \`${child.id}\``);
    // Not a blind ÷10: the rate of the range test of the preset's network and data with its SGD, run for this rerun
    // (once for both clicks) and kept in the database.
    const rate = (child.config as { learningRate: number }).learningRate;
    expect(rate).toBeLessThan(3);
    expect(rate).toBeGreaterThan(1e-3);
    expect(started.content).toContain(`learning rate 30 → ${Number(rate.toPrecision(3))} (the range test's suggestion)`);
    expect(started.content).toContain('(its rate from a range test just run on its model and data)');
    expect(service.db.prepare("SELECT key, origin FROM lr_find_results").all()).toEqual([{ key: expect.stringMatching(/^preset:blobs:sgd:/), origin: 'rerun' }]);
    expect(already.content).toContain(`already rerun with its fix: job \`${child.id}\``);
    // Naming the clicker does not ping them.
    const edit = fake.requestsOn('PATCH /webhooks/:app/:token/messages/:message').find((r) => String(r.body?.content).includes('reruns job'))!;
    expect(edit.body.allowed_mentions).toEqual({ parse: [] });

    // The stored row: linked, asked by the trainer, in this channel, and the config changed only where the fix says.
    expect(child).toMatchObject({ parentJobId: parent.id, requestedBy: trainer.user.id, channelId: verdictMessage.channel_id });
    const before = parent.config as Record<string, unknown>;
    const after = child.config as Record<string, unknown>;
    expect(after.learningRate).toBe(rate);
    const changed = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
    show(`rerun config changes: ${changed.map((k) => `${k}: ${JSON.stringify(before[k])} → ${JSON.stringify(after[k])}`).join(', ')}`);
    // Only the rate: not raised back by a "too low" finding of the diverged run, no batch norm for its zero gradients,
    // no more epochs for its "still improving" curve.
    expect(changed).toEqual(['learningRate']);
  }, 60_000);

  it('posts the new checklist and the before/after comparison chart in the old run’s thread when it ends', async () => {
    const t0 = Date.now();
    const thread = await fake.waitFor(() => fake.threads().find((t) => t.starter_message_id === verdictMessage.id), 10_000, 'a thread on the verdict');
    const checklist = await fake.waitFor(
      () => fake.channelMessages(thread.id).find((m) => (m.embeds?.length ?? 0) > 0 && m.attachments.some((a) => a.filename === 'chart.png')),
      90_000,
      'the rerun’s checklist in the thread',
    );
    const comparison = await fake.waitFor(
      () => fake.channelMessages(thread.id).find((m) => m.attachments.some((a) => a.filename === 'compare.png')),
      10_000,
      'the comparison in the thread',
    );
    show(`rerun ended ${Date.now() - t0} ms after the click was answered\n${fake.channelMessages(thread.id).map(embedText).join('\n---\n')}`);

    const child = (await jobs.get(rerunId))!;
    expect(child.status).toBe('finished');
    expect(String(checklist.content)).toContain(`job \`${child.id}\``);
    expect(String(checklist.content)).toContain(`<@${trainer.user.id}>`);
    expect((checklist.embeds[0] as any).footer.text).toContain(child.runId);
    // Inside the thread there is no "Open thread"; the rerun can itself be rerun.
    expect(fake.buttonsOf(checklist).map((b) => b.label)).not.toContain('Open thread');

    const png = comparison.attachments.find((a) => a.filename === 'compare.png')!;
    expect([...png.bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    const embed = comparison.embeds[0] as any;
    expect(embed.image.url).toBe('attachment://compare.png');
    expect(embed.description).toContain(`A = \`${parent.runId}\``);
    expect(embed.description).toContain(`B = \`${child.runId}\``);
    expect(String(comparison.content)).toMatch(/learning rate 30 → [\d.e-]+ \(the range test's suggestion\)/);
    expect(String(comparison.content)).toContain(`A = job \`${parent.id}\`, B = job \`${child.id}\``);

    // The progress line lives in the thread too, and ends without its Cancel button.
    const progress = fake.channelMessages(thread.id).find((m) => String(m.content).includes('finished') && String(m.content).includes(child.id))!;
    expect(fake.buttonsOf(progress)).toHaveLength(0);
    // Nothing about the rerun was posted in the channel besides the click's answer.
    expect(fake.channelMessages(verdictMessage.channel_id).filter((m) => String(m.content).includes(child.id) && (m.embeds?.length ?? 0) > 0)).toHaveLength(0);
  }, 120_000);

  it('a later click says which job the rerun was', async () => {
    const answer = await fake.answerOf(fake.clickButton({ messageId: verdictMessage.id, customId: `train:rerun:${parent.id}`, user: trainer }), 10_000);
    expect(answer.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(answer.content).toContain(`job \`${rerunId}\``);
    expect(answer.content).toContain('finished');
    expect((await jobs.list(50)).filter((j) => j.parentJobId === parent.id)).toHaveLength(1);
  });

  it('reports in the run’s existing thread; Cancel there stops the rerun, and a cancelled rerun may be started again', async () => {
    // A second finished job of the same run, as if trained again: its run already has the thread opened above.
    const thread = fake.threads().find((t) => t.starter_message_id === verdictMessage.id)!;
    await jobStore.enqueue({ id: 'again001', config: parent.config, requestedBy: trainer.user.id, channelId: verdictMessage.channel_id });
    await jobStore.update('again001', { status: 'finished', runId: parent.runId, context: parent.context, finishedAt: Date.now() });
    const before = fake.threads().length;
    const click = fake.clickButton({ messageId: verdictMessage.id, customId: 'train:rerun:again001', user: trainer });
    const ack = await fake.answerOf(click, 10_000);
    expect(ack.content).toContain(`<#${thread.id}>`);
    expect(fake.threads()).toHaveLength(before);
    const child = (await jobStore.liveRerunOf('again001'))!;
    const progress = await fake.waitFor(() => fake.channelMessages(thread.id).find((m) => String(m.content).includes(child.id) && fake.buttonsOf(m).some((b) => b.label === 'Cancel')), 10_000, 'the progress line with Cancel in the thread');

    const cancel = await fake.answerOf(fake.clickButton({ messageId: progress.id, customId: `train:cancel:${child.id}`, user: trainer }), 30_000);
    expect(cancel.content).toContain(`Job \`${child.id}\` cancelled`);
    expect((await jobs.get(child.id))!.status).toBe('cancelled');
    await fake.waitFor(() => fake.channelMessages(thread.id).find((m) => String(m.content).includes(`\`${child.id}\`: ✖️ cancelled`)), 10_000, 'the cancelled line in the thread');

    const retry = await fake.answerOf(fake.clickButton({ messageId: verdictMessage.id, customId: 'train:rerun:again001', user: trainer }), 10_000);
    const second = (await jobStore.liveRerunOf('again001'))!;
    expect(second.id).not.toBe(child.id);
    expect(retry.content).toContain(`as job \`${second.id}\``);
    // The same preset and settings: the range test run for the first rerun, from the database, not run again.
    expect(retry.content).toContain('(its rate from a range test run earlier for a rerun of the same model and data)');
    await jobs.cancel(second.id);
  }, 60_000);

  it('an RMSProp job whose rate blew up: the rerun takes the rate of a range test run with RMSProp', async () => {
    // The diverged run of the first job, as if trained with RMSProp at a rate of 5.
    await jobStore.enqueue({ id: 'rms00001', config: { ...(parent.config as object), optimizer: 'rmsprop', learningRate: 5 }, requestedBy: trainer.user.id, channelId: verdictMessage.channel_id });
    await jobStore.update('rms00001', { status: 'finished', runId: parent.runId, context: parent.context, finishedAt: Date.now() });
    const answer = await fake.answerOf(fake.clickButton({ messageId: verdictMessage.id, customId: 'train:rerun:rms00001', user: trainer }), 40_000);
    const child = (await jobStore.liveRerunOf('rms00001'))!;
    const config = child.config as { optimizer: string; learningRate: number };
    expect(config.optimizer).toBe('rmsprop');
    expect(config.learningRate).toBeLessThan(0.5);
    expect(answer.content).toContain(`learning rate 5 → ${Number(config.learningRate.toPrecision(3))} (the range test's suggestion)`);
    expect(answer.content).toContain('(its rate from a range test just run on its model and data)');
    expect(service.db.prepare("SELECT key FROM lr_find_results WHERE key LIKE 'preset:blobs:rmsprop:%'").all()).toHaveLength(1);
    await jobs.cancel(child.id);
  }, 60_000);

  it('/diagnose of the job-made run shows the checklist of the job’s own verdict (its measured context)', async () => {
    const answer = await fake.answerOf(fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: parent.runId! }] }), 10_000);
    const later = answer.embeds[0] as any;
    const own = verdictMessage.embeds[0] as any;
    expect(later.description).toBe(own.description);
    expect(later.fields.map((f: any) => f.name)).toEqual(own.fields.map((f: any) => f.name));
    // Dataset statistics only the job measured: without them these would be "not checked".
    const passed = later.fields.find((f: any) => f.name.startsWith('✅'))?.value ?? '';
    expect(passed).toContain('Train/validation leakage');
    expect(passed).toContain('Class imbalance');
  });
});
