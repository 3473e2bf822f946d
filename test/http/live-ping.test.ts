/**
 * A pushed run that diverges at epoch 7 pings exactly once through the (fake) Discord, enqueued before the epoch-7
 * batch's response and posted before the epoch-8 batch is sent; a silent run is marked stalled and pings once.
 * The whole bot runs against FakeDiscord (test/support/bot-harness.ts); the API listens on a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { SqlitePushStore } from '../../src/store/sqlite-push-store.ts';
import { PushService } from '../../src/app/push-run.ts';
import { createApiToken } from '../../src/app/api-tokens.ts';
import { startApiServer, type RunningApi } from '../../src/http/api-server.ts';
import { silentLogger } from '../../src/logger.ts';
import { runCli } from '../support/run-cli.ts';
import { ensureBuilt } from '../support/built.ts';

// These tests start the compiled runmedic as a process: build it first if a source changed (test/support/built.ts).
beforeAll(() => ensureBuilt(), 600_000);

const STEPS_PER_EPOCH = 20;

/** Epoch e (1-based): a loss falling towards 0.3, that jumps to ~8 from epoch 7 on and stays there. */
function epochBatch(e: number) {
  const points = [];
  for (let i = 0; i < STEPS_PER_EPOCH; i++) {
    const t = e - 1 + i / STEPS_PER_EPOCH;
    const loss = e < 7 ? 2 * Math.exp(-t / 2) + 0.3 + 0.02 * Math.sin(i * 1.7) : 8 + 0.1 * Math.sin(i);
    points.push({ step: (e - 1) * STEPS_PER_EPOCH + i, epoch: t, metrics: { loss } });
  }
  return { points };
}

describe('live runs ping through the outbox', () => {
  let h: BotHarness;
  let api: RunningApi;
  let service: PushService;
  let token: string;
  // Behind real time: outbox entries are due at the injected time and the dispatcher runs on the real clock.
  let clock = Date.now() - 3 * 3600_000;
  beforeAll(async () => {
    h = await BotHarness.start();
    await h.alerts.configure({ guildId: h.fake.guildId, channelId: h.fake.alerts.id, roleId: h.fake.oncallRole.id, by: null });
    const push = new SqlitePushStore(h.db);
    service = new PushService({ runs: h.store, push, alerts: h.alerts, now: () => clock, stallAfterMs: 30 * 60_000 });
    api = await startApiServer({ service, tokens: push, log: silentLogger(), host: '127.0.0.1', port: 0 });
    token = (await createApiToken(push, { guildId: h.fake.guildId, name: 'ci' }, clock)).token;
  }, 30_000);
  afterAll(async () => {
    await api?.close();
    await h?.stop();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(api.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const pings = (id: string) => h.fake.channelMessages(h.fake.alerts.id).filter((m) => m.content.includes('🚨') && m.content.includes(id));

  it('diverging at epoch 7: one ping, enqueued within that batch, posted before epoch 8 is sent', async () => {
    const { body: run } = await post('/api/v1/runs', { name: 'diverger' });
    for (let e = 1; e <= 6; e++) {
      const r = await post(`/api/v1/runs/${run.id}/metrics`, epochBatch(e));
      expect(r.status).toBe(200);
      expect(r.body.alerts, `epoch ${e}`).toBe(0);
    }
    expect(await h.alerts.store.outbox()).toHaveLength(0);

    const seventh = await post(`/api/v1/runs/${run.id}/metrics`, epochBatch(7));
    expect(seventh.status).toBe(200);
    expect(seventh.body).toMatchObject({ diagnosed: true, status: 'fail', alerts: 1 });
    // Enqueued (committed with the verdict) before the response came back.
    const queued = await h.alerts.store.outbox();
    expect(queued).toHaveLength(1);
    expect(queued[0]!.payload.findings.map((f) => f.id)).toContain('divergence');

    const [ping] = await h.fake.waitFor(() => (h.fake.channelMessages(h.fake.alerts.id).length ? h.fake.channelMessages(h.fake.alerts.id) : null), 10_000, 'the divergence ping');
    expect(ping!.content).toMatch(new RegExp(`^<@&${h.fake.oncallRole.id}> 🚨 \\*\\*diverger\\*\\*: .*Divergence`));

    for (let e = 8; e <= 10; e++) expect((await post(`/api/v1/runs/${run.id}/metrics`, epochBatch(e))).body.alerts).toBe(0);
    await post(`/api/v1/runs/${run.id}/finish`, { status: 'crashed' });
    await new Promise((r) => setTimeout(r, 400));
    const all = h.fake.channelMessages(h.fake.alerts.id).filter((m) => m.content.includes('🚨'));
    expect(all).toHaveLength(1);
  }, 30_000);

  it('a run silent past the stall time is marked stalled and pings once; a healthy one does not', async () => {
    const { body: quiet } = await post('/api/v1/runs', { name: 'hangs' });
    const { body: busy } = await post('/api/v1/runs', { name: 'keeps-going' });
    await post(`/api/v1/runs/${quiet.id}/metrics`, epochBatch(1));
    await post(`/api/v1/runs/${busy.id}/metrics`, epochBatch(1));
    clock += 20 * 60_000;
    await post(`/api/v1/runs/${busy.id}/metrics`, epochBatch(2));
    expect(await service.checkStalled()).toEqual([]);
    clock += 11 * 60_000;
    expect(await service.checkStalled()).toEqual([quiet.id]);
    expect((await h.store.getRun(quiet.id))?.status).toBe('stalled');
    const verdict = await fetch(`${api.url}/api/v1/runs/${quiet.id}/verdict`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json() as any);
    expect(verdict.items[0]).toMatchObject({ id: 'stalled', status: 'fail', evidence: { silentMinutes: 31 } });
    const [ping] = await h.fake.waitFor(() => (h.fake.channelMessages(h.fake.alerts.id).some((m) => m.content.includes('hangs')) ? h.fake.channelMessages(h.fake.alerts.id).filter((m) => m.content.includes('hangs')) : null), 10_000, 'the stall ping');
    expect(ping!.content).toContain('Stalled');
    // Later checks do not ping again, and the busy run was never flagged.
    clock += 60 * 60_000;
    expect(await service.checkStalled()).toEqual([busy.id]);
    await new Promise((r) => setTimeout(r, 400));
    expect(h.fake.channelMessages(h.fake.alerts.id).filter((m) => m.content.includes('🚨') && m.content.includes('**hangs**'))).toHaveLength(1);
    // /diagnose and `runmedic diagnose` of the stalled run show the stall first, as the API's verdict does.
    const diag = await h.fake.answerOf(h.fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: quiet.id }] }), 10_000);
    const embedText = JSON.stringify(diag.embeds);
    expect(embedText).toMatch(/No metrics for \d+ min and the run was never finished/);
    const cli = await runCli(['diagnose', quiet.id], { env: { RUNMEDIC_DB: h.config.dbPath } });
    if (process.env.SHOW_MESSAGES) console.log(cli.stdout, JSON.stringify(diag.embeds[0], null, 1));
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/Stalled: No metrics for \d+ min and the run was never finished/);
    // A stalled run that sends again is running again.
    expect((await post(`/api/v1/runs/${quiet.id}/metrics`, epochBatch(2))).status).toBe(200);
    expect((await h.store.getRun(quiet.id))?.status).toBe('running');
  }, 90_000);
});
