/**
 * Run threads read when a server opted in (`/alerts set … read-threads:true`): the bot asks for the Message Content
 * intent only then, starts without it when Discord refuses it (4014), and in a run's thread a posted log updates the
 * run and its checklist while anything else, there or elsewhere, is left alone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { INTENT, type FakeChannel, type FakeInteraction } from '../support/fake-discord.ts';
import { maybeWriteRecordedPage } from '../support/discord-html.ts';
import { kerasCsv } from '../support/training-logs.ts';
import { REPO_ROOT } from '../support/real-logs.ts';
import { SqliteThreadReadingStore } from '../../src/store/sqlite-thread-reading-store.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const MESSAGES = INTENT.GUILD_MESSAGES | INTENT.MESSAGE_CONTENT;

/** `Epoch e/n - train loss … val loss …` lines of an overfitting run, as a print loop writes them. */
function printedLog(epochs: number, overfitFrom: number): string {
  return kerasCsv({ epochs, overfitFrom, riseRate: 0.08 })
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => {
      const [e, , loss, vacc, vloss] = row.split(',').map(Number);
      return `Epoch ${e! + 1}/${epochs} - train loss: ${loss!.toFixed(4)} - val loss: ${vloss!.toFixed(4)} - val acc: ${(100 * vacc!).toFixed(2)}%`;
    })
    .join('\n');
}

describe('reading logs posted in run threads', () => {
  let h: BotHarness;
  let thread: FakeChannel;
  beforeAll(async () => {
    h = await BotHarness.start();
    await h.alerts.configure({ guildId: h.fake.guildId, channelId: h.fake.alerts.id, roleId: h.fake.oncallRole.id, by: null });
  }, 30_000);
  afterAll(async () => {
    // RUNMEDIC_FACES_HTML=dir writes what was posted as a page to look at (test/support/discord-html.ts).
    if (h) await maybeWriteRecordedPage(h.fake, 'read-threads');
    await h?.stop();
  });

  const slashAlerts = (options: { name: string; type: number; value: string | boolean }[], user = h.fake.admin): FakeInteraction =>
    h.fake.slash({ name: 'alerts', user, options: [{ name: 'set', type: 1, options }] });
  const replies = (channelId: string) => h.fake.channelMessages(channelId).filter((m) => m.author.bot);

  it('asks for no message content until a server opts in', async () => {
    expect(h.fake.identifies.length).toBeGreaterThan(0);
    expect(h.fake.sessionIntents & MESSAGES).toBe(0);
    // A failing run gets its alert and thread, where people will talk about it.
    const att = h.fake.hostAttachment(enc(kerasCsv({ epochs: 30, overfitFrom: 10 })), 'resnet50.csv', 'text/csv');
    await h.fake.answerOf(h.fake.slash({ name: 'ingest', options: [{ name: 'file', type: 11, value: att.id }, { name: 'name', type: 3, value: 'resnet50' }], attachments: [att] }), 15_000);
    thread = await h.fake.waitFor(() => h.fake.threads().find((t) => t.parent_id === h.fake.alerts.id), 10_000, 'the alert thread');
  });

  it('/alerts set read-threads:true is saved and says the intent is asked for at the next start; /alerts show says so too', async () => {
    const answer = await h.fake.answerOf(
      slashAlerts([
        { name: 'channel', type: 7, value: h.fake.alerts.id },
        { name: 'role', type: 8, value: h.fake.oncallRole.id },
        { name: 'read-threads', type: 5, value: true },
      ]),
    );
    expect(answer.content).toContain('**Run threads:** on, but not read yet: runmedic needs Discord’s Message Content intent, which it asks for at its next start');
    expect(await new SqliteThreadReadingStore(h.db).isEnabled(h.fake.guildId)).toBe(true);
    // Setting other options later leaves it as it was.
    const again = await h.fake.answerOf(slashAlerts([{ name: 'channel', type: 7, value: h.fake.alerts.id }, { name: 'role', type: 8, value: h.fake.oncallRole.id }]));
    expect(again.content).toContain('**Run threads:** on');
  });

  it('after a restart: a log posted in the run thread updates the run and its checklist there; chat and other channels are left alone', async () => {
    await h.restart();
    expect(h.fake.sessionIntents & MESSAGES).toBe(MESSAGES);
    const show = await h.fake.answerOf(h.fake.slash({ name: 'alerts', user: h.fake.admin, options: [{ name: 'show', type: 1 }] }));
    expect(show.content).toContain('**Run threads:** read: a code block or log file posted in a run’s thread updates that run');
    const before = (await h.store.listRuns()).filter((r) => r.name === 'resnet50').length;

    h.fake.postMessage({ channelId: thread.id, content: 'thanks, looking into it' });
    h.fake.postMessage({ channelId: h.fake.general.id, content: `\`\`\`\n${printedLog(20, 6)}\n\`\`\`` });
    const posted = h.fake.postMessage({ channelId: thread.id, content: `reran with dropout, same thing:\n\`\`\`\n${printedLog(24, 6)}\n\`\`\`` });
    const reply = await h.fake.waitFor(() => replies(thread.id).find((m) => m.content.startsWith('Read the log')), 15_000, 'the thread update');
    const runs = (await h.store.listRuns()).filter((r) => r.name === 'resnet50');
    expect(reply.content.split('\n')[0]).toBe(`Read the log <@${h.fake.member.user.id}> posted: **resnet50** updated from the code block (\`${runs[0]!.id}\`, 72 points).`);
    expect(reply.allowed_mentions).toMatchObject({ parse: [] });
    expect(runs).toHaveLength(before + 1);
    expect(runs[0]!.source.format).toBe('console_text');
    expect((reply.embeds[0] as any).title).toContain('resnet50');
    expect(reply.attachments[0]?.filename).toBe('chart.png');
    // A second upload of the run: Compare is offered; no Open thread inside a thread.
    const labels = h.fake.buttonsOf(reply).map((b) => b.label);
    expect(labels).toContain('Compare with previous run');
    expect(labels).not.toContain('Open thread');
    expect(posted.id).toBeDefined();

    await new Promise((r) => setTimeout(r, 500));
    expect(replies(thread.id).filter((m) => m.content.startsWith('Read the log'))).toHaveLength(1);
    expect(replies(h.fake.general.id).filter((m) => m.content.startsWith('Read the log'))).toHaveLength(0);
    // Still one incident: the update pinged nobody.
    expect(h.fake.channelMessages(h.fake.alerts.id).filter((m) => m.content.includes(`<@&${h.fake.oncallRole.id}>`))).toHaveLength(1);
  });

  it('a log file posted in the thread is read too; a server that turns it off is no longer read', async () => {
    const file = h.fake.hostAttachment(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'console', 'torch_logging.log')), 'train.log', 'text/plain');
    h.fake.postMessage({ channelId: thread.id, content: '', attachments: [file] });
    await h.fake.waitFor(() => replies(thread.id).filter((m) => m.content.startsWith('Read the log')).length === 2 || null, 15_000, 'the second update');
    // The run went from failing to warnings: the quiet update in its thread names the warnings, not just "no failures".
    const update = await h.fake.waitFor(() => h.fake.channelMessages(thread.id).find((m) => m.content.includes('→ ⚠️ warnings')), 5000, 'the status update');
    expect((update.embeds[0] as any).description).toMatch(/^⚠️ \*\*[A-Z][^*]+\*\*: \S/m);
    expect((update.embeds[0] as any).description).not.toContain('No failing findings');

    await h.fake.answerOf(
      slashAlerts([
        { name: 'channel', type: 7, value: h.fake.alerts.id },
        { name: 'role', type: 8, value: h.fake.oncallRole.id },
        { name: 'read-threads', type: 5, value: false },
      ]),
    );
    h.fake.postMessage({ channelId: thread.id, content: `\`\`\`\n${printedLog(12, 4)}\n\`\`\`` });
    await new Promise((r) => setTimeout(r, 800));
    expect(replies(thread.id).filter((m) => m.content.startsWith('Read the log'))).toHaveLength(2);
  });
});

describe('an application without the Message Content intent', () => {
  let h: BotHarness;
  afterAll(async () => {
    await h?.stop();
  });

  it('starts and works without it when a server opted in, and /alerts show says why threads are not read', async () => {
    h = await BotHarness.start({ fake: { messageContentIntent: false } });
    expect(h.fake.sessionIntents & MESSAGES).toBe(0);
    await new SqliteThreadReadingStore(h.db).setEnabled(h.fake.guildId, true, null, Date.now());
    await h.alerts.configure({ guildId: h.fake.guildId, channelId: h.fake.alerts.id, roleId: h.fake.oncallRole.id, by: null });
    await h.restart();
    // Asked, refused with 4014, connected again without it.
    expect(h.fake.identifies.slice(-2).map((i) => i & MESSAGES)).toEqual([MESSAGES, 0]);
    const show = await h.fake.answerOf(h.fake.slash({ name: 'alerts', user: h.fake.admin, options: [{ name: 'show', type: 1 }] }));
    expect(show.content).toContain('**Run threads:** on, but not read yet');
    const runs = await h.fake.answerOf(h.fake.slash({ name: 'runs' }));
    expect(runs.content + JSON.stringify(runs.embeds)).toMatch(/No runs|runs/i);
  });
});
