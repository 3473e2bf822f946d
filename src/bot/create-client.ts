/** The discord.js client, pointed at Discord or at any stand-in (DISCORD_API_BASE). */
import { Client, GatewayIntentBits } from 'discord.js';

export interface ClientOptions {
  /** REST base without the version, e.g. http://127.0.0.1:8080/api. Undefined: Discord's own. */
  apiBase?: string;
  /** Retries of a failed REST request inside discord.js (the outbox has its own). */
  retries?: number;
  /**
   * Receive messages with their content (the Guild Messages and the privileged Message Content intents), to read
   * logs posted in run threads; only when a server opted in (/alerts set read-threads).
   */
  readMessages?: boolean;
}

export function createDiscordClient(opts: ClientOptions = {}): Client {
  return new Client({
    // Slash commands, message commands, buttons and threads need only the Guilds intent: no message content, no members.
    intents: [GatewayIntentBits.Guilds, ...(opts.readMessages ? [GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent] : [])],
    rest: { ...(opts.apiBase ? { api: opts.apiBase.replace(/\/+$/, '') } : {}), retries: opts.retries ?? 1 },
  });
}
