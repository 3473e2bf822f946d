/**
 * One incident, one ping (issue 16): a pushed run that diverges and then goes NaN mentions the role exactly once in
 * all; the NaN finding goes to the run's thread without a mention, with a button that re-arms the ping; after a
 * re-arm, the run's next finding (it stalls) pings once more, and only once.
 * The whole bot runs against FakeDiscord; the push API listens on a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { maybeWriteRecordedPage } from '../support/discord-html.ts';
import { SqlitePushStore } from '../../src/store/sqlite-push-store.ts';
import { PushService } from '../../src/app/push-run.ts';
import { createApiToken } from '../../src/app/api-tokens.ts';
import { startApiServer, type RunningApi } from '../../src/http/api-server.ts';
import { silentLogger } from '../../src/logger.ts';
import type { FakeMessage } from '../support/fake-discord.ts';

const STEPS_PER_EPOCH = 20;

/** Epoch e (1-based): a loss falling towards 0.3 that jumps to ~8 at epoch 7 and is NaN from epoch 9 on. */
function epochBatch(e: number) {
  const points = [];
  for (let i = 0; i < STEPS_PER_EPOCH; i++) {
    const t = e - 1 + i / STEPS_PER_EPOCH;
    const loss = e < 7 ? 2 * Math.exp(-t / 2) + 0.3 + 0.02 * Math.sin(i * 1.7) : e < 9 ? 8 + 0.1 * Math.sin(i) : null;
    points.push({ step: (e - 1) * STEPS_PER_EPOCH + i, epoch: t, metrics: { loss } });
  }
  return { points };
}

describe('one ping per incident', () => {
  let h: BotHarness;
  let api: RunningApi;
  let service: PushService;
  let token: string;
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
    // RUNMEDIC_FACES_HTML=dir writes what was posted as a page to look at (test/support/discord-html.ts).
    if (h) await maybeWriteRecordedPage(h.fake, 'one-ping');
    await h?.stop();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(api.url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const role = () => `<@&${h.fake.oncallRole.id}>`;
  /** Every message anywhere (alert channel and threads) that mentions the role and is allowed to ping it. */
  const mentions = (): FakeMessage[] =>
    [...h.fake.messages.values()].filter((m) => m.content.includes(role()) && ((m.allowed_mentions as { roles?: string[] } | undefined)?.roles ?? []).includes(h.fake.oncallRole.id));
  const alertsAbout = (name: string) => [...h.fake.messages.values()].filter((m) => m.content.includes('🚨') && m.content.includes(`**${name}**`));
  const settle = () => new Promise((r) => setTimeout(r, 500));

  it('a run that diverges and then goes NaN mentions the role exactly once; the NaN goes quietly to its thread', async () => {
    const { body: run } = await post('/api/v1/runs', { name: 'blowup' });
    for (let e = 1; e <= 7; e++) expect((await post(`/api/v1/runs/${run.id}/metrics`, epochBatch(e))).status).toBe(200);
    const [first] = await h.fake.waitFor(() => (alertsAbout('blowup').length ? alertsAbout('blowup') : null), 10_000, 'the divergence alert');
    expect(first!.channel_id).toBe(h.fake.alerts.id);
    expect(first!.content).toBe(`${role()} 🚨 **blowup**: Divergence`);
    const thread = await h.fake.waitFor(() => h.fake.threads().find((t) => t.starter_message_id === first!.id), 5000, 'the run thread');

    for (let e = 8; e <= 10; e++) expect((await post(`/api/v1/runs/${run.id}/metrics`, epochBatch(e))).status).toBe(200);
    const quiet = await h.fake.waitFor(() => h.fake.channelMessages(thread.id).find((m) => m.content.includes('NaN loss')), 10_000, 'the NaN alert in the thread');
    expect(quiet.content).toBe('🚨 **blowup**: NaN loss');
    expect(quiet.allowed_mentions).toEqual({ parse: [], roles: [] });
    expect(JSON.stringify(quiet.embeds)).toMatch(/↳ also explains what looks like: [^"]*Divergence/);
    await settle();
    expect(mentions()).toHaveLength(1);
    expect(h.fake.channelMessages(h.fake.alerts.id).filter((m) => m.content.includes('blowup'))).toHaveLength(1);
    expect(h.fake.buttonsOf(quiet).map((b) => b.label)).toEqual(['Details', 'Ping on the next finding']);
  }, 60_000);

  it('after a re-arm, the next finding of the run pings once more, and only once', async () => {
    const [run] = (await h.store.findRuns('blowup')).filter((r) => r.name === 'blowup');
    const thread = h.fake.threads().find((t) => t.name.includes('blowup'))!;
    const quiet = h.fake.channelMessages(thread.id).find((m) => m.content.includes('NaN loss'))!;
    const rearm = h.fake.buttonsOf(quiet).find((b) => b.label === 'Ping on the next finding')!;
    const ack = await h.fake.answerOf(h.fake.clickButton({ messageId: quiet.id, customId: rearm.custom_id! }), 10_000);
    expect(ack.flags & 64).toBe(64);
    expect(ack.content).toBe(`🔔 Re-armed: the next new finding of **blowup** pings ${role()} again (once).`);

    // The run goes silent: `stalled` is its next new finding.
    clock += 31 * 60_000;
    expect(await service.checkStalled()).toEqual([run!.id]);
    const stalled = await h.fake.waitFor(() => h.fake.channelMessages(thread.id).find((m) => m.content.includes('Stalled')), 10_000, 'the stall alert');
    expect(stalled.content).toBe(`${role()} 🚨 **blowup**: Stalled`);
    await settle();
    expect(mentions()).toHaveLength(2);

    // The re-arm was good for one ping: the run's later findings are quiet again.
    await post(`/api/v1/runs/${run!.id}/metrics`, epochBatch(11));
    clock += 31 * 60_000;
    await service.checkStalled();
    await settle();
    expect(mentions()).toHaveLength(2);
  }, 60_000);
});
