/** The fake Discord on its own: a bare discord.js client logs in, gets a slash command, answers it. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttachmentBuilder, Client, Events, GatewayIntentBits, MessageFlags, type Interaction } from 'discord.js';
import { FakeDiscord } from '../support/fake-discord.ts';

const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('fake Discord', () => {
  let fake: FakeDiscord;
  let client: Client;
  const seen: Interaction[] = [];

  beforeEach(async () => {
    fake = await FakeDiscord.start();
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase, retries: 0 } });
    seen.length = 0;
    client.on(Events.InteractionCreate, async (i) => {
      seen.push(i);
      if (i.isChatInputCommand()) {
        await i.deferReply();
        await i.editReply({ content: `pong ${i.options.getString('word') ?? ''}`, files: [new AttachmentBuilder(PNG_1x1, { name: 'x.png' })] });
      } else if (i.isAutocomplete()) {
        await i.respond([{ name: 'alpha', value: 'a' }]);
      } else if (i.isButton()) {
        await i.reply({ content: `clicked ${i.customId}`, flags: MessageFlags.Ephemeral });
      }
    });
    const ready = new Promise<void>((r) => client.once(Events.ClientReady, () => r()));
    await client.login(fake.token);
    await ready;
  });

  afterEach(async () => {
    await client.destroy();
    await fake.stop();
  });

  it('logs the real client in and sees the guild with its channels and roles', () => {
    const guild = client.guilds.cache.get(fake.guildId);
    expect(guild?.name).toBe('runmedic test guild');
    expect(guild?.channels.cache.has(fake.alerts.id)).toBe(true);
    expect(guild?.roles.cache.has(fake.oncallRole.id)).toBe(true);
  });

  it('delivers a slash command and records the defer, the edit and its multipart file', async () => {
    const it = fake.slash({ name: 'ping', options: [{ name: 'word', type: 3, value: 'hi' }] });
    const answer = await fake.answerOf(it, 3000);
    expect(it.callbacks[0].type).toBe(5);
    expect(answer.content).toBe('pong hi');
    expect(answer.attachments[0].filename).toBe('x.png');
    expect(Buffer.from(answer.attachments[0].bytes).subarray(1, 4).toString()).toBe('PNG');
    const edit = fake.requestsOn('PATCH /webhooks/:app/:token/messages/:message')[0];
    expect(edit.path.endsWith('/@original')).toBe(true);
    expect(edit.files[0].field).toBe('files[0]');
    const cmd = seen[0];
    expect(cmd.isChatInputCommand() && cmd.channelId).toBe(fake.general.id);
  });

  it('delivers autocomplete and button clicks', async () => {
    const ac = fake.autocomplete({ name: 'x', options: [{ name: 'q', type: 3, value: 'al', focused: true }] });
    await fake.waitFor(() => ac.answeredAt, 3000, 'autocomplete result');
    expect(ac.callbacks[0]).toMatchObject({ type: 8, data: { choices: [{ name: 'alpha', value: 'a' }] } });

    const cmd = fake.slash({ name: 'ping' });
    const msg = await fake.answerOf(cmd);
    const click = fake.clickButton({ messageId: msg.id, customId: 'btn:1' });
    const reply = await fake.answerOf(click);
    expect(reply.content).toBe('clicked btn:1');
    expect(reply.flags & 64).toBe(64);
  });

  it('answers unknown routes with a 404 naming the route', async () => {
    const res = await fetch(`${fake.apiBase}/v10/nowhere/42`);
    expect(res.status).toBe(404);
    expect((await res.json()).message).toContain('GET /api/v10/nowhere/42');
  });

  it('resumes after a dropped gateway and replays events sent meanwhile', async () => {
    fake.dropGateway();
    const it = fake.slash({ name: 'ping', options: [{ name: 'word', type: 3, value: 'later' }] });
    const answer = await fake.answerOf(it, 5000);
    expect(answer.content).toBe('pong later');
    expect(fake.gatewayStats.resumes).toBe(1);
  });

  it('reports what arrived when a wait times out', async () => {
    await expect(fake.waitFor(() => false, 50, 'nothing')).rejects.toThrow(/waiting for nothing[\s\S]*gateway: connections=1/);
  });
});
