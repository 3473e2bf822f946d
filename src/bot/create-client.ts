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
  /**
   * The shards this process runs (`ids`) of the bot's `count` (BOT_SHARDS/SHARD_IDS); undefined: one shard, all servers.
   * discord.js's own Client options, not its ShardingManager: the manager forks one child per shard on one machine
   * and coordinates them over IPC, which runmedic needs for nothing, since everything that must happen once (alerts,
   * digest slots, jobs) is claimed in the shared database. Plain processes, each given its SHARD_IDS, run anywhere
   * (containers, machines) with no parent to keep alive.
   */
  shards?: { ids: number[]; count: number };
}

export function createDiscordClient(opts: ClientOptions = {}): Client {
  return new Client({
    // Slash commands, message commands, buttons and threads need only the Guilds intent: no message content, no members.
    intents: [GatewayIntentBits.Guilds, ...(opts.readMessages ? [GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent] : [])],
    rest: { ...(opts.apiBase ? { api: opts.apiBase.replace(/\/+$/, '') } : {}), retries: opts.retries ?? 1 },
    ...(opts.shards ? { shards: opts.shards.ids, shardCount: opts.shards.count } : {}),
  });
}
