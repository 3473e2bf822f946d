/**
 * Registers every command in commands/ with Discord, in one server when DISCORD_GUILD_ID is set (instant, for
 * development) or globally (may take up to an hour to show). Run by `npm run deploy-commands`.
 */
import { REST, Routes, type RESTPutAPIApplicationCommandsResult } from 'discord.js';
import type { Config } from '../config.ts';
import { loadCommands } from './command-loader.ts';

export interface DeployResult {
  scope: 'guild' | 'global';
  names: string[];
}

export async function registerCommands(config: Config, commandsDir?: string): Promise<DeployResult> {
  if (!config.discordToken) throw new DeployError('DISCORD_TOKEN is not set: set it to your bot token.');
  if (!config.discordAppId) throw new DeployError('DISCORD_APP_ID is not set: set it to your application id (Developer Portal → General Information).');
  const commands = await loadCommands(commandsDir);
  const body = [...commands.values()].map((c) => c.data.toJSON());
  const rest = new REST({ ...(config.discordApiBase ? { api: config.discordApiBase.replace(/\/+$/, '') } : {}), retries: 1 }).setToken(
    config.discordToken,
  );
  const route = config.discordGuildId
    ? Routes.applicationGuildCommands(config.discordAppId, config.discordGuildId)
    : Routes.applicationCommands(config.discordAppId);
  let result: RESTPutAPIApplicationCommandsResult;
  try {
    result = (await rest.put(route, { body })) as RESTPutAPIApplicationCommandsResult;
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 401) throw new DeployError('DISCORD_TOKEN was rejected by Discord: set it to the bot token from the Developer Portal.');
    if (status === 403 || status === 404) {
      throw new DeployError(
        `Discord refused the registration (${status}): check DISCORD_APP_ID${config.discordGuildId ? ' and DISCORD_GUILD_ID (is the bot in that server?)' : ''}.`,
      );
    }
    throw e;
  }
  return { scope: config.discordGuildId ? 'guild' : 'global', names: result.map((c) => c.name) };
}

export class DeployError extends Error {}

