/** /diagnose end to end through the real discord.js client and the fake Discord. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { maybeWriteRecordedPage } from '../support/discord-html.ts';
import { kerasHistoryJson } from '../support/training-logs.ts';
import type { RunSummary } from '../../src/domain/run.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('/diagnose', () => {
  let h: BotHarness;
  let first: RunSummary;
  let second: RunSummary;
  let other: RunSummary;

  beforeAll(async () => {
    h = await BotHarness.start();
    first = await h.seedRun(kerasHistoryJson({ epochs: 20, overfitFrom: 10 }), 'resnet-overfit');
    second = await h.seedRun(kerasHistoryJson({ epochs: 30, overfitFrom: 10 }), 'resnet-overfit');
    other = await h.seedRun(kerasHistoryJson({ epochs: 25 }), 'healthy-mlp');
  });
  afterAll(async () => {
    // RUNMEDIC_FACES_HTML=dir writes what was posted as a page to look at (test/support/discord-html.ts).
    if (h) await maybeWriteRecordedPage(h.fake, 'diagnose');
    await h?.stop();
  });

  it('defers within 3 s, then edits the reply with the checklist embed, a PNG chart and the buttons', async () => {
    const it = h.fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: second.id }] });
    const answer = await h.fake.answerOf(it, 10_000);
    expect(it.callbacks[0].type).toBe(5);
    expect(it.callbacks[0].at - it.sentAt).toBeLessThan(3000);

    const embed = answer.embeds[0] as any;
    expect(embed.title).toContain('resnet-overfit');
    expect(embed.footer.text).toContain(second.id);
    const fieldNames: string[] = embed.fields.map((f: any) => f.name);
    // Failures come first, with evidence and the fix.
    expect(fieldNames[0]).toBe('❌ Overfitting');
    expect(embed.fields[0].value).toMatch(/at epoch 10\b/);
    for (const f of embed.fields.filter((f: any) => /^(❌|⚠️)/.test(f.name))) expect(f.value).toContain('**Fix:**');
    expect(fieldNames).toContainEqual(expect.stringMatching(/^✅ Passed \(\d+\)/));
    expect(embed.image.url).toBe('attachment://chart.png');

    expect(answer.attachments).toHaveLength(1);
    expect(answer.attachments[0].filename).toBe('chart.png');
    expect([...answer.attachments[0].bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);

    const buttons = h.fake.buttonsOf(answer);
    expect(buttons.map((b) => b.label)).toEqual(['Details', 'Open thread', 'Mute alerts for this run', 'Compare with previous run']);
    expect(buttons[3].custom_id).toBe(`diagnose:compare:${second.id}:${first.id}`);
  });

  it('offers no Compare button for a run without an earlier upload', async () => {
    const answer = await h.fake.answerOf(h.fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: other.id }] }));
    expect(h.fake.buttonsOf(answer).map((b) => b.label)).toEqual(['Details', 'Open thread', 'Mute alerts for this run']);
  });

  it('autocompletes run names and ids, newest first', async () => {
    const ac = h.fake.autocomplete({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: 'resnet', focused: true }] });
    await h.fake.waitFor(() => ac.answeredAt, 3000, 'autocomplete');
    const choices = ac.callbacks[0].data.choices as { name: string; value: string }[];
    expect(choices.map((c) => c.value)).toEqual([second.id, first.id]);
    expect(choices[0].name).toContain('resnet-overfit');

    const byId = h.fake.autocomplete({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: other.id.slice(0, 6), focused: true }] });
    await h.fake.waitFor(() => byId.answeredAt, 3000, 'autocomplete by id');
    expect(byId.callbacks[0].data.choices.map((c: any) => c.value)).toContain(other.id);
  });

  it('says which run is missing, privately', async () => {
    const it = h.fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: 'no-such-run' }] });
    const msg = await h.fake.waitFor(() => it.followUpIds.map((id) => h.fake.messages.get(id)).find(Boolean), 5000, 'an ephemeral follow-up');
    expect(msg.content).toMatch(/no run with id or name "no-such-run"/i);
    // Not a dead end: it says where the runs are.
    expect(msg.content).toContain('`/runs` lists the stored runs');
    expect(msg.flags & 64).toBe(64);
    expect(h.fake.responseOf(it)).toBeUndefined(); // the public "thinking…" was removed
  });

  it('Open thread makes a thread on the reply, and /diagnose inside it defaults to that run', async () => {
    const answer = await h.fake.answerOf(h.fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: other.id }] }));
    const click = h.fake.clickButton({ messageId: answer.id, customId: `diagnose:thread:${other.id}` });
    const ack = await h.fake.answerOf(click);
    const thread = h.fake.threads().find((t) => t.starter_message_id === answer.id);
    expect(thread?.name).toContain('healthy-mlp');
    expect(ack.content).toContain(`<#${thread!.id}>`);

    const inThread = await h.fake.answerOf(h.fake.slash({ name: 'diagnose', channelId: thread!.id }));
    expect((inThread.embeds[0] as any).footer.text).toContain(other.id);
  });

  it('Mute alerts for this run records the mute', async () => {
    const answer = await h.fake.answerOf(h.fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: first.id }] }));
    const ack = await h.fake.answerOf(h.fake.clickButton({ messageId: answer.id, customId: `diagnose:mute:${first.id}` }));
    expect(ack.content).toContain('muted');
    expect(await h.alerts.isMuted({ name: 'resnet-overfit' })).toBe(true);
  });
});
