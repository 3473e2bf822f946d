/**
 * /ingest end to end, and the pings it causes: one per run per finding, with the role mention limited to that role,
 * a thread on the alert, no second ping for a longer upload of the same run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { maybeWriteRecordedPage } from '../support/discord-html.ts';
import { kerasCsv, kerasHistoryJson } from '../support/training-logs.ts';
import type { FakeInteraction } from '../support/fake-discord.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('/ingest and alert pings', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await BotHarness.start({ env: { INGEST_MAX_BYTES: '200000' } });
    await h.alerts.configure({ guildId: h.fake.guildId, channelId: h.fake.alerts.id, roleId: h.fake.oncallRole.id, by: null });
  });
  afterAll(async () => {
    // RUNMEDIC_FACES_HTML=dir writes what was posted as a page to look at (test/support/discord-html.ts).
    if (h) await maybeWriteRecordedPage(h.fake, 'ingest-and-ping');
    await h?.stop();
  });

  function ingest(bytes: Uint8Array, filename: string, name?: string): FakeInteraction {
    const att = h.fake.hostAttachment(bytes, filename, 'text/csv');
    return h.fake.slash({
      name: 'ingest',
      options: [{ name: 'file', type: 11, value: att.id }, ...(name ? [{ name: 'name', type: 3, value: name }] : [])],
      attachments: [att],
    });
  }

  const alertMessages = () => h.fake.channelMessages(h.fake.alerts.id);

  it('garbage gets a readable private error and stores nothing', async () => {
    const it = ingest(new Uint8Array([0x00, 0xff, 0x13, 0x37, 0x00, 0x00, 0x42, 0x99, 0x10]), 'weights.bin');
    const msg = await h.fake.waitFor(() => it.followUpIds.map((id) => h.fake.messages.get(id)).find(Boolean), 5000, 'the error');
    expect(msg.flags & 64).toBe(64);
    expect(msg.content).toMatch(/^Could not read weights\.bin/);
    expect(msg.content.length).toBeLessThan(400);
    expect(h.fake.responseOf(it)).toBeUndefined();
    expect(await h.store.listRuns()).toEqual([]);
  });

  it('a file over the size limit is refused before anything is downloaded', async () => {
    const it = ingest(new Uint8Array(300_000).fill(65), 'huge.csv');
    const answer = await h.fake.answerOf(it);
    expect(answer.flags & 64).toBe(64);
    expect(answer.content).toContain('INGEST_MAX_BYTES');
    expect(await h.store.listRuns()).toEqual([]);
  });

  it('an overfitting run pings the role once, in the alert channel, and opens a thread named after the run', async () => {
    const it = ingest(enc(kerasCsv({ epochs: 30, overfitFrom: 10 })), 'resnet50.csv', 'resnet50');
    const answer = await h.fake.answerOf(it, 10_000);
    expect(it.callbacks[0].type).toBe(5);
    const [run] = await h.store.listRuns();
    expect(answer.content).toContain(run.id);
    expect((answer.embeds[0] as any).title).toContain('resnet50');
    expect([...answer.attachments[0].bytes.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);

    const thread = await h.fake.waitFor(() => h.fake.threads().find((t) => t.parent_id === h.fake.alerts.id), 5000, 'the alert thread');
    const pings = alertMessages();
    expect(pings).toHaveLength(1);
    expect(pings[0].content).toMatch(new RegExp(`^<@&${h.fake.oncallRole.id}>`));
    expect(pings[0].content).toContain('Overfitting');
    expect(pings[0].allowed_mentions).toEqual({ parse: [], roles: [h.fake.oncallRole.id] });
    expect(pings[0].attachments[0]?.filename).toBe('chart.png');
    expect(thread.starter_message_id).toBe(pings[0].id);
    expect(thread.name).toContain('resnet50');
  });

  it('a longer, further-overfit upload of the same run does not ping again', async () => {
    const it = ingest(enc(kerasHistoryJson({ epochs: 45, overfitFrom: 10, riseRate: 0.08 })), 'resnet50-later.json', 'resnet50');
    await h.fake.answerOf(it, 10_000);
    const [later] = await h.store.listRuns();
    expect(later.name).toBe('resnet50');
    // The finding is still there (a fail), it just is not new for this run.
    const verdict = await h.alerts.store.latestVerdict(later.id);
    expect(verdict?.items.find((i) => i.id === 'overfitting')?.status).toBe('fail');
    // Give the dispatcher every chance to (wrongly) post.
    await new Promise((r) => setTimeout(r, 400));
    expect(alertMessages()).toHaveLength(1);
    expect(h.fake.threads().filter((t) => t.parent_id === h.fake.alerts.id)).toHaveLength(1);
    expect((await h.alerts.store.outbox()).length).toBe(1);

    // In the alert's thread, /diagnose without a run means the newest upload of that run.
    const thread = h.fake.threads().find((t) => t.parent_id === h.fake.alerts.id)!;
    const inThread = await h.fake.answerOf(h.fake.slash({ name: 'diagnose', channelId: thread.id }), 10_000);
    expect((inThread.embeds[0] as any).footer.text).toContain(later.id);
  });

  it('a new finding of a run whose thread was deleted goes to the alert channel again, without a second ping, and opens a new thread', async () => {
    const old = h.fake.threads().find((t) => t.parent_id === h.fake.alerts.id)!;
    h.fake.deleteChannel(old.id);
    // Loss goes to NaN: nan_loss is new for this run.
    const lines = kerasCsv({ epochs: 30, overfitFrom: 10 }).trim().split('\n');
    const nan = [...lines.slice(0, 25), ...lines.slice(25).map((l) => l.split(',').map((c, k) => (k === 0 ? c : 'nan')).join(','))].join('\n') + '\n';
    await h.fake.answerOf(ingest(enc(nan), 'resnet50-nan.csv', 'resnet50'), 10_000);
    const thread = await h.fake.waitFor(() => h.fake.threads().find((t) => t.parent_id === h.fake.alerts.id), 8000, 'a new thread');
    const pings = alertMessages();
    expect(pings).toHaveLength(2);
    expect(pings[1].content).toBe('🚨 **resnet50**: NaN loss');
    expect(pings[1].allowed_mentions).toEqual({ parse: [], roles: [] });
    expect(thread.starter_message_id).toBe(pings[1].id);
  });

  it('a recovered upload of a threaded run posts a quiet status update in its thread', async () => {
    const thread = h.fake.threads().find((t) => t.parent_id === h.fake.alerts.id)!;
    await h.fake.answerOf(ingest(enc(kerasCsv({ epochs: 30 })), 'resnet50-fixed.csv', 'resnet50'), 10_000);
    const update = await h.fake.waitFor(() => h.fake.channelMessages(thread.id).find((m) => m.content.startsWith('🔄')), 5000, 'the update');
    expect(update.content).toMatch(/resnet50\*\*: ❌ failing → (⚠️ warnings|✅ passing)/);
    expect(update.allowed_mentions).toEqual({ parse: [] });
    expect(update.content).not.toContain('<@&');
    expect(alertMessages()).toHaveLength(2);
  });

  it('a log too short to judge is marked as not judged, not as passing, on the ingest line and in /runs', async () => {
    const answer = await h.fake.answerOf(ingest(enc('epoch,loss\n0,2.31\n'), 'one-row.csv', 'one-row'), 10_000);
    expect((answer.embeds[0] as any).title).toBe('❔ one-row');
    expect((answer.embeds[0] as any).description).toMatch(/^\*\*TOO LITTLE DATA\*\* · keras_csv · 1 point · 1 epoch\n/);
    expect(answer.content).toMatch(/^❔ \*\*one-row\*\* stored as `r_\w+` \(1 point\)$/);
    const runs = await h.fake.answerOf(h.fake.slash({ name: 'runs' }), 10_000);
    expect((runs.embeds[0] as any).description.split('\n').find((l: string) => l.includes('**one-row**'))).toMatch(/^❔ /);
  });

  it('a healthy run pings nobody', async () => {
    const before = alertMessages().length;
    await h.fake.answerOf(ingest(enc(kerasCsv({ epochs: 30 })), 'healthy.csv'), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(alertMessages()).toHaveLength(before);
  });
});
