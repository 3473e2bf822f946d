/**
 * Two bot shards (BOT_SHARDS=2, SHARD_IDS=0 and 1) in one test process against the fake Discord, with a server on
 * each shard: each client holds only its own server; a channel's server and owner are found through REST even when
 * the server is another shard's; a training job that ended while no bot ran is reported by the shard owning its
 * channel, once, even when the other shard starts first. (The processes on PostgreSQL: test/bot/bot-shards-pg.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService } from '../../src/alerts/alert-service.ts';
import { storedRunContexts } from '../../src/app/diagnose-run.ts';
import { RunReporter } from '../../src/app/run-report.ts';
import { TrainingJobs } from '../../src/app/training-jobs.ts';
import { startBot, type RunningBot } from '../../src/bot/bot.ts';
import { channelGuildId, ownsChannel } from '../../src/bot/shard-ownership.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { openSqliteStores } from '../../src/store/open-sqlite-stores.ts';
import type { Stores } from '../../src/store/open-stores.ts';
import { FakeDiscord, type FakeGuild } from '../support/fake-discord.ts';

describe('a bot split into two shards', () => {
  let fake: FakeDiscord;
  let second: FakeGuild;
  const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-shards-'));
  const opened: { stores: Stores; bot: RunningBot }[] = [];

  const startShard = async (id: number, jobs = false) => {
    const config = loadConfig({ RUNMEDIC_DB: path.join(dir, 'db.sqlite'), DISCORD_API_BASE: fake.apiBase, DISCORD_TOKEN: fake.token, BOT_SHARDS: '2', SHARD_IDS: String(id), JOB_CONCURRENCY: '0' });
    const stores = openSqliteStores(config.dbPath);
    const reporter = new RunReporter(stores.runs, { contexts: storedRunContexts({ jobs: stores.jobs, pushed: stores.push }) });
    const bot = await startBot({
      config,
      log: silentLogger(),
      store: stores.runs,
      alerts: new AlertService(stores.alerts),
      reporter,
      token: fake.token,
      restRetries: 0,
      readyTimeoutMs: 5000,
      ...(jobs ? { jobs: new TrainingJobs({ jobs: stores.jobs, runs: stores.runs, concurrency: 0 }) } : {}),
    });
    opened.push({ stores, bot });
    return bot;
  };

  beforeAll(async () => {
    fake = await FakeDiscord.start({ guildShard: [0, 2] });
    second = fake.addGuild('second guild', { shard: [1, 2] });
  });

  afterAll(async () => {
    for (const { stores, bot } of opened.reverse()) {
      await bot.stop().catch(() => undefined);
      await stores.close();
    }
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a job that ended while no bot ran from the shard owning its channel, once, whichever shard starts first', async () => {
    const stores = openSqliteStores(path.join(dir, 'db.sqlite'));
    const job = await stores.jobs.enqueue({ id: 'j_sharded1', config: { preset: 'blobs', epochs: 2 }, requestedBy: fake.member.user.id, channelId: second.general.id });
    await stores.jobs.update(job.id, { status: 'interrupted', finishedAt: Date.now(), error: 'the process running this job stopped' });
    await stores.close();

    // Shard 0 starts first and must leave the job alone: its server is not there, and a claimed report it could not
    // post would be lost.
    const zero = await startShard(0, true);
    expect([...zero.client.guilds.cache.keys()]).toEqual([fake.guildId]);
    expect(fake.channelMessages(second.general.id)).toHaveLength(0);
    const one = await startShard(1, true);
    expect([...one.client.guilds.cache.keys()]).toEqual([second.id]);

    const said = fake.channelMessages(second.general.id);
    expect(said).toHaveLength(1);
    expect(said[0]!.content).toContain('job `j_sharded1`');
    expect(said[0]!.content).toContain('was interrupted');
    expect(fake.channelMessages(fake.general.id)).toHaveLength(0);
  });

  it('finds the server and the owning shard of any channel, another shard’s too', async () => {
    const [zero, one] = opened.map((o) => o.bot.client);
    expect(await channelGuildId(zero!, second.alerts.id)).toBe(second.id);
    expect(await channelGuildId(one!, fake.alerts.id)).toBe(fake.guildId);
    expect(await ownsChannel(zero!, second.alerts.id)).toBe(false);
    expect(await ownsChannel(one!, second.alerts.id)).toBe(true);
    expect(await ownsChannel(zero!, fake.alerts.id)).toBe(true);
    expect(await ownsChannel(one!, fake.alerts.id)).toBe(false);
    // A channel nobody can look up goes to shard 0 alone, so one process finds out that it is gone.
    expect([await ownsChannel(zero!, '999999999999999999'), await ownsChannel(one!, '999999999999999999')]).toEqual([true, false]);
  });
});
