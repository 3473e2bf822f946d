/** deploy-commands: every command in commands/ registered, guild-scoped with DISCORD_GUILD_ID, else global. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { registerCommands } from '../../src/bot/register-commands.ts';
import { loadCommands } from '../../src/bot/command-loader.ts';
import { FakeDiscord } from '../support/fake-discord.ts';

describe('registerCommands', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(async () => {
    await fake?.stop();
  });

  const env = (extra: Record<string, string> = {}) =>
    loadConfig({ DISCORD_TOKEN: fake.token, DISCORD_APP_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase, ...extra });

  it('registers in one server when DISCORD_GUILD_ID is set', async () => {
    const r = await registerCommands(env({ DISCORD_GUILD_ID: fake.guildId }));
    expect(r.scope).toBe('guild');
    const all = [...(await loadCommands()).keys()].sort();
    expect(all).toEqual(expect.arrayContaining(['alerts', 'compare', 'diagnose', 'ingest', 'runs']));
    expect(r.names.sort()).toEqual(all);
    const diagnose = fake.registeredCommands.get(fake.guildId)!.find((c) => c.name === 'diagnose');
    expect(diagnose.options).toEqual([expect.objectContaining({ name: 'run-id', type: 3, autocomplete: true, required: false })]);
    const ingest = fake.registeredCommands.get(fake.guildId)!.find((c) => c.name === 'ingest');
    expect(ingest.options[0]).toMatchObject({ name: 'file', type: 11, required: true });
    expect(fake.requestsOn('PUT /applications/:app/guilds/:guild/commands')[0].authorization).toBe(`Bot ${fake.token}`);
  });

  it('registers globally otherwise', async () => {
    const r = await registerCommands(env());
    expect(r.scope).toBe('global');
    expect(fake.registeredCommands.get('global')?.map((c) => c.name).sort()).toEqual(r.names.sort());
    expect(r.names).toContain('diagnose');
  });

  it('says which variable is wrong when Discord refuses the token', async () => {
    await expect(registerCommands(loadConfig({ DISCORD_TOKEN: 'nope', DISCORD_APP_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase }))).rejects.toThrow(
      /DISCORD_TOKEN was rejected/,
    );
    await expect(registerCommands(loadConfig({ DISCORD_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase }))).rejects.toThrow(/DISCORD_APP_ID is not set/);
  });
});
