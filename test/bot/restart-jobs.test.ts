/**
 * Training jobs across a restart, end to end: the real discord.js client against the fake Discord, jobs in child
 * processes, one SQLite file. Two /train jobs with concurrency 1; the bot stops while the first runs and starts again
 * on the same database: the first is reported interrupted once (which job, which preset, how to run it again), the
 * second, still queued at the stop, runs under the new bot and its progress and results reach the channel it was
 * asked in, once, and a further restart posts nothing again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeDiscord, type FakeMember, type FakeMessage } from '../support/fake-discord.ts';
import { startTrainingService, stopTrainingService, type TrainingService } from '../support/training-service.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase } from '../../src/store/database.ts';
import { SqliteJobStore } from '../../src/store/sqlite-job-store.ts';

const hasChart = (m: FakeMessage) => (m.embeds?.length ?? 0) > 0 && m.attachments.some((a) => a.filename === 'chart.png');

describe('training jobs across a bot restart', () => {
  let fake: FakeDiscord;
  let config: Config;
  let service: TrainingService | null = null;
  let trainer: FakeMember;
  const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-restart-'));

  beforeAll(async () => {
    fake = await FakeDiscord.start();
    config = loadConfig({
      RUNMEDIC_DB: path.join(dir, 'db.sqlite'),
      DISCORD_API_BASE: fake.apiBase,
      DISCORD_TOKEN: fake.token,
      TRAIN_ROLE_ID: fake.oncallRole.id,
      JOB_CONCURRENCY: '1',
    });
    trainer = fake.addMember('trainer', '0', [fake.oncallRole.id]);
  });
  afterAll(async () => {
    if (service) await stopTrainingService(service).catch(() => undefined);
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('interrupts the running job, keeps the queued one, and reports each once after the restart', async () => {
    const t0 = Date.now();
    service = await startTrainingService(config, fake.token);
    const train = (epochs: number, limit: number) =>
      fake.slash({
        name: 'train',
        user: trainer,
        options: [
          { name: 'preset', type: 3, value: 'blobs' },
          { name: 'epochs', type: 4, value: epochs },
          { name: 'limit', type: 4, value: limit },
        ],
      });
    // The first trains long enough to be stopped while it runs; the second is small and waits behind it.
    const first = train(200, 400);
    await fake.answerOf(first, 10_000);
    const second = train(3, 200);
    const queuedAnswer = await fake.answerOf(second, 10_000);
    const channelId = first.channelId;
    expect(second.channelId).toBe(channelId);
    const [job2, job1] = await service.jobs.list();
    expect(job1!.config).toMatchObject({ preset: 'blobs', epochs: 200 });
    expect(job2!.config).toMatchObject({ preset: 'blobs', epochs: 3 });
    expect(queuedAnswer.content).toContain(`job \`${job2!.id}\``);
    expect(queuedAnswer.content).toContain('queued (position 1)');

    // Stop once the first has created its run (its child is training), the second still queued behind it.
    await fake.waitFor(async () => (await service!.jobStore.get(job1!.id))?.runId ?? null, 60_000, 'the first job’s run');
    const tStop = Date.now();
    const s1 = service;
    service = null;
    await stopTrainingService(s1);
    const tStopped = Date.now();
    const check = openDatabase(config.dbPath);
    const stored = new SqliteJobStore(check);
    expect((await stored.get(job1!.id))!.status).toBe('interrupted');
    expect((await stored.get(job2!.id))!.status).toBe('queued');
    check.close();
    // Nothing is said while the bot stops: the interruption is reported by the next start.
    const mentions = (id: string) => fake.channelMessages(channelId).filter((m) => String(m.content).includes(`\`${id}\``));
    const before = { job1: mentions(job1!.id).length, job2: mentions(job2!.id).length };
    expect(fake.channelMessages(channelId).filter((m) => String(m.content).includes('interrupted'))).toHaveLength(0);

    // A new process on the same database.
    const tRestart = Date.now();
    service = await startTrainingService(config, fake.token);
    const interrupted = (await service.jobs.get(job1!.id))!;
    expect(interrupted.reportedAt).not.toBeNull();
    const report = await fake.waitFor(
      () => fake.channelMessages(channelId).find((m) => String(m.content).includes('interrupted when runmedic stopped')),
      10_000,
      'the interrupted report',
    );
    const text = String(report.content);
    expect(text).toContain(`job \`${job1!.id}\``);
    expect(text).toContain('preset `blobs`');
    expect(text).toContain(`run \`${interrupted.runId}\``);
    expect(text).toContain('It can be rerun: `/train preset:blobs');
    expect(text).toContain('epochs:200');
    // Its /train reply, last seen training with a Cancel button, now says it was interrupted.
    const firstReply = await fake.waitFor(() => {
      const m = fake.channelMessages(channelId).find((x) => x.interaction_id === first.id);
      return m && String(m.content).includes('interrupted') ? m : null;
    }, 10_000, 'the first job’s reply closed');
    expect(String(firstReply.content)).toContain(`job \`${job1!.id}\`\n\`⚠️ interrupted: runmedic stopped while it ran\``);
    expect(fake.buttonsOf(firstReply)).toHaveLength(0);

    // The queued job is followed again: a fresh progress line in its channel, then its checklist and chart.
    const results = await fake.waitFor(() => mentions(job2!.id).find(hasChart), 90_000, 'the second job’s checklist');
    const tResults = Date.now();
    const done = (await service.jobs.get(job2!.id))!;
    expect(done.status).toBe('finished');
    expect(done.reportedAt).not.toBeNull();
    expect(String(results.content)).toContain(`<@${trainer.user.id}>`);
    expect((results.embeds[0] as any).footer.text).toContain(done.runId);
    expect(fake.buttonsOf(results).map((b) => b.label)).toContain('Open thread');

    await service.jobs.queue.idle();
    // Anything posted twice would be on its way by now.
    await new Promise((r) => setTimeout(r, 1000));
    const after = mentions(job2!.id).slice(before.job2);
    expect(after.filter(hasChart)).toHaveLength(1);
    // The /train reply itself carries the progress again, edited to the end: no second progress message.
    expect(after.filter((m) => String(m.content).includes('runmedic restarted since this job was queued') || String(m.content).includes('✅ finished'))).toHaveLength(0);
    const reply = fake.channelMessages(channelId).find((m) => m.id === queuedAnswer.id)!;
    expect(String(reply.content)).toContain(`job \`${job2!.id}\``);
    expect(String(reply.content)).toContain('✅ finished');
    expect(fake.buttonsOf(reply)).toHaveLength(0);
    expect(done.progressMessageId).toBe(queuedAnswer.id);
    expect(mentions(job1!.id).slice(before.job1)).toEqual([report]);

    // Another restart: both ends were reported, so nothing is posted again.
    const count = fake.channelMessages(channelId).length;
    const s2 = service;
    service = null;
    await stopTrainingService(s2);
    service = await startTrainingService(config, fake.token);
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.channelMessages(channelId)).toHaveLength(count);

    if (process.env.SHOW_TIMINGS) {
      console.log(
        `restart test: first job's run after ${tStop - t0} ms, stop took ${tStopped - tStop} ms, restart to second job's checklist ${tResults - tRestart} ms, whole test ${Date.now() - t0} ms`,
      );
    }
  }, 180_000);

  it('a rerun still queued at the stop posts its checklist and the before/after comparison in the old run’s thread, once', async () => {
    const t0 = Date.now();
    service ??= await startTrainingService(config, fake.token);
    const slash = (options: { name: string; type: number; value: string | number }[]) => fake.slash({ name: 'train', user: trainer, options: [{ name: 'preset', type: 3, value: 'blobs' }, ...options] });
    // A diverging job, so its checklist offers Rerun with fix.
    const diverging = slash([
      { name: 'optimizer', type: 3, value: 'sgd' },
      { name: 'lr', type: 10, value: 30 },
      { name: 'epochs', type: 4, value: 4 },
      { name: 'limit', type: 4, value: 300 },
    ]);
    await fake.answerOf(diverging, 10_000);
    const parent = (await service.jobs.list())[0]!;
    const verdict = await fake.waitFor(
      () => fake.channelMessages(diverging.channelId).find((m) => hasChart(m) && String(m.content).includes(parent.id) && fake.buttonsOf(m).some((b) => b.label === 'Rerun with fix')),
      90_000,
      'the diverging job’s checklist',
    );
    // A long job takes the only slot, so the rerun waits in the queue.
    await fake.answerOf(slash([{ name: 'epochs', type: 4, value: 200 }, { name: 'limit', type: 4, value: 400 }]), 10_000);
    const blocker = (await service.jobs.list())[0]!;
    await fake.waitFor(async () => (await service!.jobStore.get(blocker.id))?.runId ?? null, 60_000, 'the long job’s run');
    // The click runs a range test in a child process first (seconds).
    const ack = await fake.answerOf(fake.clickButton({ messageId: verdict.id, customId: `train:rerun:${parent.id}`, user: trainer }), 40_000);
    const rerun = (await service.jobStore.liveRerunOf(parent.id))!;
    const thread = fake.threads().find((t) => t.starter_message_id === verdict.id)!;
    expect(ack.content).toContain(`<#${thread.id}>`);
    expect(rerun).toMatchObject({ status: 'queued', channelId: diverging.channelId, reportChannelId: thread.id });

    const s1 = service;
    service = null;
    await stopTrainingService(s1);
    const inThread = () => fake.channelMessages(thread.id).filter((m) => String(m.content).includes(`\`${rerun.id}\``));
    const before = inThread().length;
    const tRestart = Date.now();
    service = await startTrainingService(config, fake.token);
    await fake.waitFor(
      () => fake.channelMessages(diverging.channelId).find((m) => String(m.content).includes(`job \`${blocker.id}\``) && String(m.content).includes('interrupted')),
      10_000,
      'the long job’s interrupted report',
    );
    const checklist = await fake.waitFor(() => inThread().find(hasChart), 90_000, 'the rerun’s checklist in the thread');
    const comparison = await fake.waitFor(() => fake.channelMessages(thread.id).find((m) => m.attachments.some((a) => a.filename === 'compare.png') && String(m.content).includes(rerun.id)), 10_000, 'the comparison');
    const tResults = Date.now();
    // The rate of the range test the click ran on the preset (Rerun with fix), not ÷10.
    expect(String(comparison.content)).toMatch(/learning rate 30 → [\d.e-]+ \(the range test's suggestion\)/);
    expect(String(comparison.content)).toContain(`A = job \`${parent.id}\`, B = job \`${rerun.id}\``);
    expect(fake.buttonsOf(checklist).map((b) => b.label)).not.toContain('Open thread');
    await service.jobs.queue.idle();
    await new Promise((r) => setTimeout(r, 1000));
    const after = inThread().slice(before);
    expect(after.filter(hasChart)).toEqual([checklist]);
    expect(fake.channelMessages(thread.id).filter((m) => m.attachments.some((a) => a.filename === 'compare.png') && String(m.content).includes(rerun.id))).toEqual([comparison]);
    // The progress message in the thread is edited on to the end, not posted again; nothing about the rerun's
    // results went to the channel.
    expect(after.filter((m) => String(m.content).includes('✅ finished'))).toHaveLength(0);
    const progress = inThread().filter((m) => String(m.content).includes('✅ finished'));
    expect(progress).toHaveLength(1);
    expect(progress[0]!.id).toBe((await service.jobs.get(rerun.id))!.progressMessageId);
    expect(fake.channelMessages(diverging.channelId).filter((m) => String(m.content).includes(rerun.id) && (m.embeds?.length ?? 0) > 0)).toHaveLength(0);
    if (process.env.SHOW_TIMINGS) console.log(`rerun restart test: restart to the rerun's comparison ${tResults - tRestart} ms, whole test ${Date.now() - t0} ms`);
  }, 240_000);
});
