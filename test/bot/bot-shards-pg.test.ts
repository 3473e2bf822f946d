/**
 * The bot split over processes on one PostgreSQL (issue 18), end to end: two `npm start` processes with BOT_SHARDS=2,
 * SHARD_IDS=0 and SHARD_IDS=1, two `runmedic serve --api-only` replicas, the fake Discord with one server on each
 * shard. Both shards start at once, each owing the same missed digest slot: it is posted once, by one of them (the
 * claim itself under contention: test/http/api-replicas-pg.test.ts). /diagnose in each server is
 * answered by the process running its shard, and only by it. A diverging run pushed through the two replicas
 * alternately pings its server's role once in all. Skipped with a notice when PostgreSQL is not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/app/api-tokens.ts';
import { previousSlot } from '../../src/schedule/cron-slots.ts';
import type { Stores } from '../../src/store/open-stores.ts';
import { openPgStores } from '../../src/store/pg/open-pg-stores.ts';
import { builtBin, builtMain, ensureBuilt } from '../support/built.ts';
import { FakeDiscord, type FakeGuild, type FakeInteraction, type RecordedRequest } from '../support/fake-discord.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { REPO_ROOT } from '../support/real-logs.ts';
import { testCluster, useStoreBackends } from '../support/store-backends.ts';
import { randomListenPort } from '../support/ports.ts';

useStoreBackends();

interface Proc {
  child: ChildProcess;
  /** stdout and stderr as they came. */
  out: () => string;
  exited: Promise<number | null>;
}

const DAY = 86_400_000;
const POST_MESSAGE = 'POST /channels/:channel/messages';

describe.runIf(postgresAvailable())('bot shards in separate processes on one PostgreSQL', { timeout: 120_000 }, () => {
  let fake: FakeDiscord;
  let second: FakeGuild;
  let url: string;
  let stores: Stores;
  const procs: Proc[] = [];

  const start = (args: string[], env: Record<string, string>): Proc => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const p: Proc = { child, out: () => out, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
    procs.push(p);
    return p;
  };
  const port = () => randomListenPort();
  const startedLine = async (p: Proc, line: string, what: string) => {
    await Promise.race([
      fake.waitFor(() => p.out().includes(line), 60_000, `${what} to say "${line}"`),
      p.exited.then((code) => Promise.reject(new Error(`${what} exited with ${code} before "${line}":\n${p.out()}`))),
    ]);
  };
  const shard = (id: number) =>
    start([builtMain()], {
      DISCORD_TOKEN: fake.token,
      DISCORD_API_BASE: fake.apiBase,
      BOT_SHARDS: '2',
      SHARD_IDS: String(id),
      JOB_CONCURRENCY: '0',
      HTTP_PORT: String(port()),
      // debug: each process logs the interactions it receives, so the test sees which one answered.
      LOG_LEVEL: 'debug',
    });
  const replica = () => {
    const p = port();
    return { proc: start([builtBin(), 'serve', '--api-only'], { HTTP_PORT: String(p), LOG_LEVEL: 'warn', HTTP_RATE_PER_SECOND: '1000', HTTP_RATE_BURST: '1000' }), base: `http://127.0.0.1:${p}` };
  };
  const roleMentions = (r: RecordedRequest) => String(r.body?.content ?? '').match(/<@&\d+>/g) ?? [];

  beforeAll(async () => {
    ensureBuilt();
    url = await testCluster().migratedDatabase();
    stores = await openPgStores(url, { poolSize: 2 });
    fake = await FakeDiscord.start({ guildShard: [0, 2] });
    second = fake.addGuild('second guild', { shard: [1, 2] });
  }, 600_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await stores?.close();
    await fake?.stop();
  });

  it('splits the servers between the shard processes and does everything that must happen once, once', async () => {
    const t0 = Date.now();
    // Both servers alert; the run below is the second server's. A daily digest of the first server missed its slot.
    await stores.alerts.saveSettings({ guildId: fake.guildId, channelId: fake.alerts.id, roleId: fake.oncallRole.id, events: ['divergence', 'nan_loss'], updatedAt: t0, updatedBy: null });
    await stores.alerts.saveSettings({ guildId: second.id, channelId: second.alerts.id, roleId: second.oncallRole.id, events: ['divergence', 'nan_loss'], updatedAt: t0, updatedBy: null });
    const schedule = await stores.digests.addSchedule({ id: 'd_shards1', guildId: fake.guildId, channelId: fake.general.id, cron: '0 9 * * *', timezone: 'UTC', windowMs: DAY, createdAt: t0 - 3 * DAY, createdBy: null });
    const missedSlot = previousSlot(schedule.cron, schedule.timezone, t0, schedule.createdAt)!;
    const token = (await createApiToken(stores.push, { guildId: second.id, name: 'ci' }, t0)).token;

    // Everything starts at once: each shard's scheduler catches up the missed digest slot as it starts.
    const shards = [shard(0), shard(1)];
    const replicas = [replica(), replica()];
    await Promise.all([
      ...shards.map((p, i) => startedLine(p, 'runmedic started', `shard ${i}`)),
      ...replicas.map((r, i) => startedLine(r.proc, 'runmedic API on', `API replica ${i}`)),
    ]);
    expect(fake.identifiedShards).toHaveLength(2);
    expect(fake.identifiedShards).toEqual(expect.arrayContaining([[0, 2], [1, 2]]));
    expect(fake.gatewayStats).toMatchObject({ connected: true, shards: [0, 1] });
    for (const [i, p] of shards.entries()) expect(p.out()).toMatch(new RegExp(`"shards":\\[${i}\\],"shardCount":2.*"msg":"bot ready"`));

    // The digest: both shards finished their start (missed slots included) and one post went out for the slot.
    const digestPosts = fake.requestsOn(POST_MESSAGE).filter((r) => String(r.body?.nonce ?? '').startsWith('dg'));
    expect(digestPosts.map((r) => r.path)).toEqual([`/channels/${fake.general.id}/messages`]);
    expect(shards.filter((p) => p.out().includes('"msg":"digest posted"'))).toHaveLength(1);
    expect((await stores.digests.lastPosted({ scheduleId: schedule.id }))?.slotAt).toBe(missedSlot);

    // A diverging run pushed through both replicas alternately (every third batch also resent to the other one, as
    // a client retrying after a timeout does): 40 epochs, healthy for 15, then the loss explodes to NaN.
    const call = async (base: string, path: string, body: unknown) => {
      const r = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, any> };
    };
    const [a, b] = replicas.map((r) => r.base) as [string, string];
    const created = await call(a, '/api/v1/runs', { name: 'diverging-on-shard-1', config: { learningRate: 3 } });
    expect(created.status).toBe(201);
    const runId: string = created.body.run?.id ?? created.body.id;
    const loss = (e: number) => (e < 15 ? 2 / (e + 1) + 0.3 : e < 30 ? 0.4 * 1.6 ** (e - 14) : null);
    for (let k = 0; k < 20; k++) {
      const points = [2 * k, 2 * k + 1].map((e) => ({ step: e + 1, epoch: e + 1, metrics: { loss: loss(e), val_loss: loss(e) === null ? null : loss(e)! * 1.1 } }));
      expect((await call(k % 2 ? b : a, `/api/v1/runs/${runId}/metrics`, { points })).status).toBe(200);
      if (k % 3 === 0) expect((await call(k % 2 ? a : b, `/api/v1/runs/${runId}/metrics`, { points })).body.accepted).toBe(0);
    }
    await call(b, `/api/v1/runs/${runId}/finish`, { status: 'crashed' });

    // /diagnose in each server meanwhile, while the shards deliver the run's alerts.
    const asked: [FakeInteraction, FakeInteraction] = [
      fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: runId }], channelId: fake.general.id }),
      fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: runId }], channelId: second.general.id }),
    ];
    const answers = await Promise.all(asked.map((it) => fake.answerOf(it, 30_000)));
    for (const [i, it] of asked.entries()) {
      expect(it.shard).toBe(i);
      expect(it.callbacks).toHaveLength(1);
      expect(answers[i]!.embeds.length).toBeGreaterThan(0);
      expect(answers[i]!.content + JSON.stringify(answers[i]!.embeds)).toContain('diverging-on-shard-1');
      // The process running the server's shard received it; the other never saw it.
      expect(shards[i]!.out()).toContain(`"id":"${it.id}"`);
      expect(shards[1 - i]!.out()).not.toContain(`"id":"${it.id}"`);
    }
    expect(fake.requests.filter((r) => r.route === 'POST /interactions/:id/:token/callback' && r.status !== 204)).toEqual([]);

    // Every alert of the run delivered (the divergence, then the NaN in its thread): one role ping in all, the
    // second server's role in its alert channel, posted by whichever shard held the outbox.
    await fake.waitFor(async () => {
      const outbox = await stores.alerts.outbox();
      return outbox.length >= 1 && outbox.every((e) => e.deliveredAt !== null);
    }, 30_000, 'every alert of the run delivered');
    const pings = fake.requestsOn(POST_MESSAGE).filter((r) => roleMentions(r).length > 0);
    expect(pings).toHaveLength(1);
    expect(pings[0]!.path).toBe(`/channels/${second.alerts.id}/messages`);
    expect(roleMentions(pings[0]!)).toEqual([`<@&${second.oncallRole.id}>`]);
    const alertPosts = fake.requestsOn(POST_MESSAGE).filter((r) => String(r.body?.nonce ?? '').length > 0 && !String(r.body.nonce).startsWith('dg'));
    expect(new Set(alertPosts.map((r) => r.body.nonce)).size).toBe(alertPosts.length);
    expect(fake.channelMessages(fake.alerts.id)).toHaveLength(0);
    expect(fake.requestsOn(POST_MESSAGE).filter((r) => String(r.body?.nonce ?? '').startsWith('dg'))).toHaveLength(1);

    // Both shards stop cleanly.
    for (const p of shards) p.child.kill('SIGTERM');
    expect(await Promise.all(shards.map((p) => p.exited))).toEqual([0, 0]);
    for (const p of [...shards, ...replicas.map((r) => r.proc)]) {
      expect(p.out()).not.toContain(fake.token);
      expect(p.out()).not.toContain(token);
    }
  });
});
