/**
 * Apps → "Diagnose log" on a message, through the real discord.js client against the fake Discord: code blocks and
 * text attachments read as logs, the private answer with its Share button, the shared copy, the one sentence for a
 * message with no log; and /ingest of a console output saved as .txt/.log.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import type { FakeInteraction, FakeMessage } from '../support/fake-discord.ts';
import { kerasCsv } from '../support/training-logs.ts';
import { REPO_ROOT } from '../support/real-logs.ts';
import { codeBlocks, runNameForMessage } from '../../src/app/message-logs.ts';
import { nothingToDiagnose } from '../../src/bot/presenters/message-diagnosis.ts';
import { maybeWriteRecordedPage } from '../support/discord-html.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'console', name));

describe('reading a chat message (pure parts)', () => {
  it('finds fenced code blocks, an unclosed last one included', () => {
    expect(codeBlocks('look:\n```\nEpoch 1 loss: 0.5\n```\nand\n```text\nEpoch 2 loss: 0.4\n')).toEqual(['Epoch 1 loss: 0.5\n', 'Epoch 2 loss: 0.4\n']);
    expect(codeBlocks('no fences here')).toEqual([]);
  });

  it('names the run from the first line, else after the author and the time', () => {
    const at = Date.UTC(2026, 2, 4, 9, 5);
    const name = (content: string) => runNameForMessage({ content, authorName: 'bob', createdAt: at });
    expect(name('run: resnet50-lr0.1\n```\nEpoch 1 loss 0.5\n```')).toBe('resnet50-lr0.1');
    expect(name('**resnet50-lr0.1**\n```\nEpoch 1 loss 0.5\n```')).toBe('resnet50-lr0.1');
    expect(name('```\nname: vit-small\nEpoch 1 loss 0.5\n```')).toBe('vit-small');
    expect(name('why does my loss go up after epoch 3?\n```\nEpoch 1 loss 0.5\n```')).toBe('bob 2026-03-04 09:05');
    expect(name('```\nEpoch 1 loss 0.5\n```')).toBe('bob 2026-03-04 09:05');
  });

  it('says in one sentence what it looked for', () => {
    expect(nothingToDiagnose({ codeBlocks: 0, text: false, files: [], skipped: [] })).toBe(
      'Nothing to diagnose in this message: I looked for a training log — console output whose lines repeat with metric values (`loss: 0.41`, `val_acc=0.8`, `Epoch 3/20 … loss 0.5`), a Keras or Lightning CSV, a trainer_state.json or JSON lines — in its code blocks and text attachments (.txt, .log, .csv, .json), and it has neither.',
    );
    expect(nothingToDiagnose({ codeBlocks: 1, text: false, files: ['notes.txt'], skipped: ['plot.png'] })).toMatch(
      /, and its code block and `notes\.txt` do not read as one \(`plot\.png` not read: pictures, media and files over the size limit are skipped\)\.$/,
    );
    expect(nothingToDiagnose({ codeBlocks: 1, text: false, files: [], skipped: [] })).toMatch(/, and its code block does not read as one\.$/);
  });
});

describe('Apps → Diagnose log', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await BotHarness.start();
    await h.alerts.configure({ guildId: h.fake.guildId, channelId: h.fake.alerts.id, roleId: h.fake.oncallRole.id, by: null });
  }, 30_000);
  afterAll(async () => {
    // RUNMEDIC_FACES_HTML=dir writes what was posted as a page to look at (test/support/discord-html.ts).
    if (h) await maybeWriteRecordedPage(h.fake, 'diagnose-log');
    await h?.stop();
  });

  const diagnose = (message: FakeMessage, user = h.fake.admin): FakeInteraction => h.fake.contextMenu({ name: 'Diagnose log', messageId: message.id, user });

  it('is registered as a message command', async () => {
    const { registerCommands } = await import('../../src/bot/register-commands.ts');
    const { loadConfig } = await import('../../src/config.ts');
    await registerCommands(loadConfig({ DISCORD_TOKEN: h.fake.token, DISCORD_APP_ID: h.fake.applicationId, DISCORD_API_BASE: h.fake.apiBase, DISCORD_GUILD_ID: h.fake.guildId }));
    const cmd = h.fake.registeredCommands.get(h.fake.guildId)!.find((c) => c.name === 'Diagnose log');
    expect(cmd).toMatchObject({ name: 'Diagnose log', type: 3 });
    expect(cmd.description ?? '').toBe('');
  });

  it('a pasted console log in a code block: a private checklist and chart named after the author and time, then shared in the channel', async () => {
    const text = fixture('torch_print.log').toString();
    const posted = h.fake.postMessage({ channelId: h.fake.general.id, content: `my val loss looks off, any idea?\n\`\`\`\n${text}\`\`\``, user: h.fake.member });
    const it = diagnose(posted);
    const answer = await h.fake.answerOf(it, 15_000);
    expect(it.callbacks[0]).toMatchObject({ type: 5, data: { flags: 64 } });
    expect(answer.flags & 64).toBe(64);
    const runs = await h.store.listRuns();
    const run = runs.find((r) => r.name.startsWith('bob-member '))!;
    expect(run.name).toMatch(/^bob-member \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(run.points).toBe(15);
    expect(answer.content.split('\n')[0]).toBe(`Read [this message](https://discord.com/channels/${h.fake.guildId}/${h.fake.general.id}/${posted.id}): ⚠️ **${run.name}** from the code block stored as \`${run.id}\` (15 points)`);
    // How it was read, the names it inferred included: a wrong guess is visible beside the checklist.
    expect(answer.content.split('\n').slice(1, 3)).toEqual([
      '-# read 5 of 6 lines with 1 template: `Epoch <n>/<n> - train loss: <v> - val loss: <v> - val acc: <v>` (5)',
      '-# names read as: `train loss` → train_loss (loss, train), `val loss` → val_loss (loss, val), `val acc` → val_acc (accuracy, val)',
    ]);
    expect((answer.embeds[0] as any).title).toContain(run.name);
    expect(answer.attachments[0]?.filename).toBe('chart.png');
    expect(h.fake.buttonsOf(answer).map((b) => b.label)).toEqual(['Share in channel', 'Details']);
    // Looking is not an incident: nobody is pinged for a log someone asked about privately.
    await new Promise((r) => setTimeout(r, 300));
    expect(h.fake.channelMessages(h.fake.alerts.id)).toHaveLength(0);

    const share = h.fake.clickButton({ messageId: answer.id, customId: h.fake.buttonsOf(answer)[0]!.custom_id!, user: h.fake.admin });
    const shared = await h.fake.waitFor(() => share.followUpIds.map((id) => h.fake.messages.get(id)).find(Boolean), 15_000, 'the shared copy');
    expect(shared.flags & 64).toBe(0);
    expect(shared.channel_id).toBe(h.fake.general.id);
    expect(shared.content).toBe(`<@${h.fake.admin.user.id}> shared runmedic's reading of the log in [this message](https://discord.com/channels/${h.fake.guildId}/${h.fake.general.id}/${posted.id}) by <@${h.fake.member.user.id}>:`);
    expect(shared.allowed_mentions).toEqual({ parse: [] });
    expect(shared.attachments[0]?.filename).toBe('chart.png');
    expect(h.fake.buttonsOf(shared).map((b) => b.label)).toEqual(expect.arrayContaining(['Details', 'Open thread']));
    // The private copy says it was shared, with no Share button to press twice.
    expect(h.fake.buttonsOf(h.fake.messages.get(answer.id)!).map((b) => [b.label, b.disabled ?? false])).toEqual([
      ['Shared in channel', true],
      ['Details', false],
    ]);
  });

  it('text attachments (.log, .csv) each become a run named by the first line; a picture is not read', async () => {
    const log = h.fake.hostAttachment(fixture('keras_fit_verbose2.log'), 'fit.log', 'text/plain; charset=utf-8');
    const csv = h.fake.hostAttachment(enc(kerasCsv({ epochs: 20, overfitFrom: 8 })), 'history.csv', 'text/csv');
    const png = h.fake.hostAttachment(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'curves.png', 'image/png');
    const posted = h.fake.postMessage({ channelId: h.fake.general.id, content: 'run: effnet-b0 sweep 3', attachments: [log, csv, png] });
    const answer = await h.fake.answerOf(diagnose(posted), 15_000);
    const names = (await h.store.listRuns()).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['effnet-b0 sweep 3', 'effnet-b0 sweep 3 (2)']));
    expect(answer.content).toContain('**effnet-b0 sweep 3** from `fit.log` stored as');
    expect(answer.content).toContain('**effnet-b0 sweep 3 (2)** from `history.csv` stored as');
    // The checklist shown is the worst run's (the CSV overfits); the list keeps the message's order.
    expect(answer.content).toContain('The checklist below is for **effnet-b0 sweep 3 (2)**, the worst of them; /diagnose the others by id.');
    expect((answer.embeds[0] as any).title).toBe('❌ effnet-b0 sweep 3 (2)');
    expect(answer.content).not.toContain('curves.png');
  });

  it('a message with no log gets one sentence saying what was looked for', async () => {
    const notes = h.fake.hostAttachment(enc('meeting notes\nnothing numeric here\n'), 'notes.txt', 'text/plain');
    const posted = h.fake.postMessage({ channelId: h.fake.general.id, content: 'can someone look at this?\n```python\nmodel.fit(x, y)\n```', attachments: [notes] });
    const before = (await h.store.listRuns()).length;
    const answer = await h.fake.answerOf(diagnose(posted), 15_000);
    expect(answer.flags & 64).toBe(64);
    expect(answer.content).toBe(nothingToDiagnose({ codeBlocks: 1, text: false, files: ['notes.txt'], skipped: [] }));
    expect(answer.embeds).toEqual([]);
    expect((await h.store.listRuns()).length).toBe(before);
  });

  it('/ingest takes a console output saved as .txt or .log', async () => {
    for (const [file, fx] of [
      ['train.txt', 'torch_tqdm_postfix.log'],
      ['hf.log', 'hf_trainer_tqdm.log'],
    ] as const) {
      const att = h.fake.hostAttachment(fixture(fx), file, 'text/plain');
      const it = h.fake.slash({ name: 'ingest', options: [{ name: 'file', type: 11, value: att.id }], attachments: [att] });
      const answer = await h.fake.answerOf(it, 15_000);
      expect(answer.flags & 64).toBe(0);
      const run = (await h.store.listRuns())[0]!;
      expect(run.source.format).toBe('console_text');
      expect(answer.content).toContain(`stored as \`${run.id}\``);
      expect(answer.attachments[0]?.filename).toBe('chart.png');
    }
  });
});
