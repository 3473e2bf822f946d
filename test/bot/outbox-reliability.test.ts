/**
 * The alert outbox across trouble: Discord failing and a gateway drop, and a bot stopped and started again
 * between deciding and delivering. Each time the alert arrives exactly once, with its thread.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { kerasCsv } from '../support/training-logs.ts';

const POST_MESSAGE = 'POST /channels/:channel/messages';

async function setUp(): Promise<BotHarness> {
  const h = await BotHarness.start();
  await h.alerts.configure({ guildId: h.fake.guildId, channelId: h.fake.alerts.id, roleId: h.fake.oncallRole.id, by: null });
  return h;
}

function ingestOverfit(h: BotHarness, name: string) {
  const att = h.fake.hostAttachment(new TextEncoder().encode(kerasCsv({ epochs: 30, overfitFrom: 10 })), `${name}.csv`);
  return h.fake.slash({ name: 'ingest', options: [{ name: 'file', type: 11, value: att.id }, { name: 'name', type: 3, value: name }], attachments: [att] });
}

async function expectDeliveredOnce(h: BotHarness) {
  const thread = await h.fake.waitFor(() => h.fake.threads().find((t) => t.parent_id === h.fake.alerts.id), 8000, 'the alert thread');
  const entry = await h.fake.waitFor(async () => (await h.alerts.store.outbox()).find((e) => e.deliveredAt !== null), 5000, 'the outbox entry marked delivered');
  const pings = h.fake.channelMessages(h.fake.alerts.id);
  expect(pings).toHaveLength(1);
  expect(pings[0].content).toContain(`<@&${h.fake.oncallRole.id}>`);
  expect(thread.starter_message_id).toBe(pings[0].id);
  expect(h.fake.threads()).toHaveLength(1);
  return { entry, pings };
}

describe('alert outbox reliability', () => {
  let h: BotHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('delivers exactly once through failed posts, a lost answer and a gateway drop', async () => {
    h = await setUp();
    const fake = h.fake;
    fake.failNext(POST_MESSAGE, 2, 503);
    fake.failNext(POST_MESSAGE, 1, 'drop-response');
    const it = ingestOverfit(h, 'vit-drop');
    await fake.waitFor(() => it.callbacks.length > 0, 3000, 'the defer');
    fake.dropGateway();

    await expectDeliveredOnce(h);
    // Two refusals, one accepted-but-unanswered post, and the retry Discord matched by its nonce.
    const posts = fake.requestsOn(POST_MESSAGE);
    expect(posts.map((r) => r.status)).toEqual([503, 503, 0, 200]);
    expect(new Set(posts.map((r) => r.body.nonce)).size).toBe(1);
    await fake.waitFor(() => fake.gatewayStats.resumes >= 1 && fake.gatewayStats.connected, 5000, 'the gateway to resume');
    const [row] = await h.alerts.store.outbox();
    expect(row.deliveredAt).not.toBeNull();
    expect(row.attempts).toBe(3);

    // The bot is still fully working after the drop.
    await fake.answerOf(fake.slash({ name: 'alerts', options: [{ name: 'show', type: 1 }] }));
  });

  it('delivers exactly once after the bot is stopped and started again between deciding and delivering', async () => {
    h = await setUp();
    const fake = h.fake;
    // Discord takes the first post but the answer is lost, then refuses everything until the restart.
    fake.failNext(POST_MESSAGE, 1, 'drop-response');
    fake.failNext(POST_MESSAGE, 10_000, 503);
    await fake.answerOf(ingestOverfit(h, 'vit-restart'), 10_000);
    await fake.waitFor(() => fake.requestsOn(POST_MESSAGE).length >= 2, 5000, 'two delivery attempts');

    await h.restart(() => fake.clearFaults());
    const { pings } = await expectDeliveredOnce(h);
    const [row] = await h.alerts.store.outbox();
    expect(row.deliveredAt).not.toBeNull();
    expect(row.messageId).toBe(pings[0].id);

    // And a restart after delivery sends nothing again.
    const before = fake.requestsOn(POST_MESSAGE).length;
    await h.restart();
    await new Promise((r) => setTimeout(r, 400));
    expect(fake.requestsOn(POST_MESSAGE).length).toBe(before);
    expect(fake.channelMessages(fake.alerts.id)).toHaveLength(1);
  });
});
