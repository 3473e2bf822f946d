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

describe('fake Discord with a sharded bot', () => {
  let fake: FakeDiscord;
  const clients: Client[] = [];
  const seen = new Map<number, string[]>();

  const shardClient = async (shard: number, count: number): Promise<Client> => {
    const client = new Client({ intents: [GatewayIntentBits.Guilds], shards: [shard], shardCount: count, rest: { api: fake.apiBase, retries: 0 } });
    clients.push(client);
    seen.set(shard, []);
    client.on(Events.InteractionCreate, async (i) => {
      seen.get(shard)!.push(i.guildId ?? '');
      if (i.isChatInputCommand()) await i.reply(`shard ${shard} answers in ${i.guildId}`);
    });
    const ready = new Promise<void>((r) => client.once(Events.ClientReady, () => r()));
    await client.login(fake.token);
    await ready;
    return client;
  };

  beforeEach(async () => {
    fake = await FakeDiscord.start({ guildShard: [0, 2] });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.destroy();
    await fake.stop();
  });

  it('gives each shard the guilds it owns and sends each guild’s interactions to its shard only', async () => {
    const other = fake.addGuild('second guild', { shard: [1, 2] });
    const [zero, one] = await Promise.all([shardClient(0, 2), shardClient(1, 2)]);
    expect(fake.identifiedShards).toEqual(expect.arrayContaining([[0, 2], [1, 2]]));
    expect(fake.gatewayStats).toMatchObject({ connected: true, shards: [0, 1] });
    expect([...zero.guilds.cache.keys()]).toEqual([fake.guildId]);
    expect([...one.guilds.cache.keys()]).toEqual([other.id]);
    expect(one.guilds.cache.get(other.id)?.channels.cache.has(other.alerts.id)).toBe(true);
    expect(one.guilds.cache.get(other.id)?.roles.cache.has(other.oncallRole.id)).toBe(true);
    expect(one.guilds.cache.get(other.id)?.channels.cache.has(fake.alerts.id)).toBe(false);

    const here = fake.slash({ name: 'ping' });
    const there = fake.slash({ name: 'ping', channelId: other.general.id });
    expect((await fake.answerOf(here)).content).toBe(`shard 0 answers in ${fake.guildId}`);
    expect((await fake.answerOf(there)).content).toBe(`shard 1 answers in ${other.id}`);
    expect([here.shard, there.shard]).toEqual([0, 1]);
    expect(seen.get(0)).toEqual([fake.guildId]);
    expect(seen.get(1)).toEqual([other.id]);
    expect(fake.responseOf(there)?.guild_id).toBe(other.id);
  });

  it('sends a guild joined later to its shard, and resumes one shard without touching the other', async () => {
    const [, one] = await Promise.all([shardClient(0, 2), shardClient(1, 2)]);
    const later = fake.addGuild('joined later', { shard: [1, 2] });
    await fake.waitFor(() => one.guilds.cache.has(later.id), 3000, 'the new guild on shard 1');
    expect(clients[0]!.guilds.cache.has(later.id)).toBe(false);

    fake.dropGateway(4000, 1);
    const it = fake.slash({ name: 'ping', channelId: later.general.id });
    expect((await fake.answerOf(it, 5000)).content).toBe(`shard 1 answers in ${later.id}`);
    expect(fake.gatewayStats.resumes).toBe(1);
    expect(fake.gatewayStats.connections).toBe(3);
  });

  it('delivers nothing for a guild whose shard is not connected, and refuses a shard id outside the count', async () => {
    const other = fake.addGuild('unserved', { shard: [1, 2] });
    await shardClient(0, 2);
    const lost = fake.slash({ name: 'ping', channelId: other.general.id });
    expect(lost.shard).toBeUndefined();
    expect(seen.get(0)).toEqual([]);
    await expect(fake.waitFor(() => false, 50, 'nothing')).rejects.toThrow(/sessions=\[shard 0\/2 live seq=\d+\] undelivered=1/);

    // discord.js never sends a shard outside its count; speak the gateway directly to see Discord's answer (4010).
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(fake.gatewayUrl);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('open', () => ws.send(JSON.stringify({ op: 2, d: { token: fake.token, intents: 1, shard: [2, 2], properties: {} } })));
    expect(await closed).toBe(4010);
  });
});
