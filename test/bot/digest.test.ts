/**
 * /digest through the real discord.js client and the fake Discord: who may schedule, what a bad cron, zone or window
 * gets back (privately), and the posted digest (summary embed, findings, grid PNG) when the fake clock reaches a slot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maybeWriteRecordedPage } from '../support/discord-html.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { SqliteAlertStore } from '../../src/store/sqlite-alert-store.ts';
import { SqliteDigestStore } from '../../src/store/sqlite-digest-store.ts';
import { AlertService } from '../../src/alerts/alert-service.ts';
import { RunReporter } from '../../src/app/run-report.ts';
import { startBot, type RunningBot } from '../../src/bot/bot.ts';
import { SqliteJobStore } from '../../src/store/sqlite-job-store.ts';
import { createDigests, type DigestWiring } from '../../src/schedule/start-digests.ts';
import type { DigestScheduler } from '../../src/schedule/digest-scheduler.ts';
import { kerasHistoryParser } from '../../src/ingest/keras-history.ts';
import { FakeDiscord, type FakeChannel, type SlashOption } from '../support/fake-discord.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { kerasHistoryJson } from '../support/training-logs.ts';
import { pngSize } from '../charts/png.ts';

describe('/digest', () => {
  let fake: FakeDiscord;
  let db: Database;
  let bot: RunningBot;
  let scheduler: DigestScheduler;
  let clock: FakeClock;
  let mlRuns: FakeChannel;
  let wiring: DigestWiring;
  const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-digest-bot-'));

  beforeAll(async () => {
    fake = await FakeDiscord.start();
    mlRuns = fake.addChannel('ml-runs');
    const config = loadConfig({ RUNMEDIC_DB: path.join(dir, 'runmedic.db'), DISCORD_API_BASE: fake.apiBase, DISCORD_TOKEN: fake.token });
    db = openDatabase(config.dbPath);
    const store = new SqliteRunStore(db);
    const alerts = new AlertService(new SqliteAlertStore(db));
    const reporter = new RunReporter(store);
    clock = new FakeClock(Date.now());
    wiring = createDigests({ stores: { digests: new SqliteDigestStore(db), jobs: new SqliteJobStore(db) }, runs: store, alerts, reporter, log: silentLogger(), clock, timer: clock });
    bot = await startBot({ config, log: silentLogger(), store, alerts, reporter, digests: wiring.digests, token: fake.token, restRetries: 0, readyTimeoutMs: 5000 });
    scheduler = await wiring.start(bot.client);

    const seed = async (name: string, json: string) => {
      const [log] = kerasHistoryParser.parse(json, `${name}.json`);
      const [saved] = await store.saveRuns([{ log: { ...log!, name }, source: { format: log!.format, fileName: `${name}.json`, contentHash: `digest-test:${name}` } }]);
      return saved!.run;
    };
    const overfit = await seed('resnet-overfit', kerasHistoryJson({ epochs: 30, overfitFrom: 8, riseRate: 0.08 }));
    await seed('healthy-mlp', kerasHistoryJson({ epochs: 25 }));
    await alerts.saveThread({ guildId: fake.guildId, runKey: overfit.name, runId: overfit.id, channelId: mlRuns.id, threadId: '424242424242' });
  });

  afterAll(async () => {
    // RUNMEDIC_FACES_HTML=dir writes what was posted as a page to look at (test/support/discord-html.ts).
    if (fake) await maybeWriteRecordedPage(fake, 'digest');
    await scheduler?.stop();
    await bot?.stop().catch(() => undefined);
    db?.close();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const scheduleOptions = (o: { cron: string; timezone?: string; window?: string }): SlashOption[] => [
    {
      name: 'schedule',
      type: 1,
      options: [
        { name: 'cron', type: 3, value: o.cron },
        { name: 'channel', type: 7, value: mlRuns.id },
        ...(o.timezone ? [{ name: 'timezone', type: 3, value: o.timezone }] : []),
        ...(o.window ? [{ name: 'window', type: 3, value: o.window }] : []),
      ],
    },
  ];
  const schedules = () => new SqliteDigestStore(db).listSchedules(fake.guildId);

  it('refuses /digest schedule to a member without Manage Server, privately', async () => {
    const answer = await fake.answerOf(fake.slash({ name: 'digest', options: scheduleOptions({ cron: '0 9 * * 1-5' }), user: fake.member }));
    expect(answer.flags & 64).toBe(64);
    expect(answer.content).toContain('Manage Server');
    expect(await schedules()).toEqual([]);
  });

  it('says privately what is wrong with the cron, zone and window, with examples, and stores nothing', async () => {
    const it = fake.slash({ name: 'digest', options: scheduleOptions({ cron: '0 25 * * 1-5', timezone: 'Europe/Berlln', window: '3 weeks' }), user: fake.admin });
    const answer = await fake.answerOf(it);
    expect(answer.flags & 64).toBe(64);
    expect(answer.content).toContain('Cron `0 25 * * 1-5` is not valid: 25 is an invalid expression for hour');
    expect(answer.content).toContain('`0 9 * * 1-5`');
    expect(answer.content).toContain('Time zone `Europe/Berlln`');
    expect(answer.content).toContain('`Europe/Berlin`');
    expect(answer.content).toContain('Window `3 weeks`');
    expect(answer.content).toContain('`24h`');
    expect(await schedules()).toEqual([]);

    const nowAnswer = await fake.answerOf(fake.slash({ name: 'digest', options: [{ name: 'now', type: 1, options: [{ name: 'window', type: 3, value: '0h' }] }] }));
    expect(nowAnswer.flags & 64).toBe(64);
    expect(nowAnswer.content).toContain('between 5m and 31d');
  });

  it('schedules a digest, lists it, and posts it with embeds and the grid PNG when the slot comes', async () => {
    const answer = await fake.answerOf(fake.slash({ name: 'digest', options: scheduleOptions({ cron: '*/30 * * * *', timezone: 'Europe/Berlin', window: '7d' }), user: fake.admin }));
    expect(answer.flags & 64).toBe(64);
    expect(answer.content).toMatch(/Digest `d_[0-9a-f]{8}` scheduled in <#\d+>: `\*\/30 \* \* \* \*` \(Europe\/Berlin\), covering the last 7d\. Next: /);
    const [saved] = await schedules();
    expect(saved).toMatchObject({ channelId: mlRuns.id, cron: '*/30 * * * *', timezone: 'Europe/Berlin', windowMs: 7 * 86_400_000, createdBy: fake.admin.user.id });

    const listed = await fake.answerOf(fake.slash({ name: 'digest', options: [{ name: 'list', type: 1 }] }));
    expect(listed.content).toContain(`\`${saved!.id}\``);
    expect(listed.flags & 64).toBe(64);

    clock.advanceTo(clock.now() + 30 * 60_000);
    await scheduler.idle();
    const message = await fake.waitFor(() => fake.channelMessages(mlRuns.id).find((m) => m.embeds.length > 0), 5000, 'the digest message');
    const embeds = message.embeds as { title: string; description: string; image?: { url: string } }[];
    expect(embeds[0]!.title).toBe('📋 Run digest · last 7d');
    // Only the states some run is in: no "0 stalled", no "0 warning".
    expect(embeds[0]!.description).toContain('**2 runs**: ❌ 1 failing · ✅ 1 healthy\n');
    expect(embeds[0]!.description).not.toMatch(/\b0 (stalled|running|warning)/);
    expect(embeds[0]!.image?.url).toBe('attachment://digest.png');
    expect(embeds[1]!.title).toBe('Worst findings');
    expect(embeds[1]!.description.split('\n')[0]).toMatch(/^❌ \*\*resnet-overfit\*\* · Overfitting: .* · <#424242424242>$/);
    // Times in the schedule's own zone, the same one the schedule reply named.
    expect((message.embeds[0] as { footer: { text: string } }).footer.text).toMatch(/^\w{3} \d+ \w{3} \d\d:\d\d → \w{3} \d+ \w{3} \d\d:\d\d Europe\/Berlin · schedule d_/);
    const png = message.attachments.find((a) => a.filename === 'digest.png')!;
    expect(pngSize(png.bytes).width).toBe(800);
    expect(message.allowed_mentions).toEqual({ parse: [] });

    // The slot is recorded: the next digest compares with this one.
    expect((await new SqliteDigestStore(db).lastPosted({ scheduleId: saved!.id }))?.state).toMatchObject({ 'resnet-overfit': 'failing', 'healthy-mlp': 'healthy' });
  });

  it('after downtime, posts one late digest marked late, not one per missed slot', async () => {
    const before = fake.channelMessages(mlRuns.id).length;
    await scheduler.stop();
    // Down for two hours: four */30 slots missed.
    clock.jumpTo(clock.now() + 2 * 3_600_000);
    // A fresh scheduler over the same store, as a restarted process would have.
    scheduler = await wiring.start(bot.client);
    await scheduler.idle();
    const after = await fake.waitFor(() => (fake.channelMessages(mlRuns.id).length > before ? fake.channelMessages(mlRuns.id) : null), 5000, 'the late digest');
    expect(after).toHaveLength(before + 1);
    const late = after.at(-1)!.embeds[0] as { title: string; footer: { text: string } };
    expect(late.title).toBe('⏰ 📋 Run digest · last 7d (late)');
    expect(late.footer.text).toMatch(/due .* Europe\/Berlin, posted late because runmedic was not running/);
  });

  it('/digest now answers in the channel with the digest; /digest remove stops the schedule', async () => {
    const it = fake.slash({ name: 'digest', options: [{ name: 'now', type: 1, options: [{ name: 'window', type: 3, value: '24h' }] }] });
    const answer = await fake.answerOf(it, 10_000);
    expect(answer.flags & 64).toBe(0);
    expect((answer.embeds[0] as { title: string }).title).toBe('📋 Run digest · last 24h');
    expect((answer.embeds[0] as { description: string }).description).toContain('No run changed between failing and not failing.');
    expect(answer.attachments.map((a) => a.filename)).toContain('digest.png');

    const [saved] = await schedules();
    const removed = await fake.answerOf(fake.slash({ name: 'digest', options: [{ name: 'remove', type: 1, options: [{ name: 'id', type: 3, value: saved!.id }] }], user: fake.admin }));
    expect(removed.content).toContain('removed');
    expect(await schedules()).toEqual([]);
    expect(scheduler.armedIds()).toEqual([]);
    const unknown = await fake.answerOf(fake.slash({ name: 'digest', options: [{ name: 'remove', type: 1, options: [{ name: 'id', type: 3, value: 'd_nope' }] }], user: fake.admin }));
    expect(unknown.flags & 64).toBe(64);
    expect(unknown.content).toContain('No digest schedule `d_nope`');
  });
});
