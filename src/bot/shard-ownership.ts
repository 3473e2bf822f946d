/**
 * Which bot process speaks for a channel when the bot is sharded (BOT_SHARDS/SHARD_IDS): a server belongs to shard
 * (guild_id >> 22) % shardCount, and only the process running that shard receives the server's events and has the
 * server in its cache. REST is not sharded: any process may post to any channel, which is why the outbox and the
 * digests, claimed in the database, are delivered by whichever process claims them. What a process does on its own
 * initiative about one server's channel (following a training job again after a restart) is left to the owner.
 */
import { Routes, ShardClientUtil, type Client } from 'discord.js';

/** The guild of a channel (a thread's too), from the cache or REST; null for a channel outside any guild. */
export async function channelGuildId(client: Client, channelId: string): Promise<string | null> {
  const cached = client.channels.cache.get(channelId);
  if (cached) return 'guildId' in cached ? cached.guildId : null;
  // channels.fetch would return null for a channel of a server another shard holds: its guild is not cached here.
  const raw = (await client.rest.get(Routes.channel(channelId))) as { guild_id?: string };
  return raw.guild_id ?? null;
}

/** The shards of the whole bot and the ones this process runs. */
export function shardsOf(client: Client): { count: number; here: number[] } {
  const count = client.options.shardCount ?? 1;
  const here = Array.isArray(client.options.shards) ? client.options.shards : Array.from({ length: count }, (_, i) => i);
  return { count, here };
}

/**
 * True when this process runs the shard of the channel's server. Channels outside any server belong to shard 0, as
 * Discord sends direct messages there; a channel that cannot be looked up also goes to shard 0, so exactly one
 * process goes on to find out (and say) that it is gone.
 */
export async function ownsChannel(client: Client, channelId: string): Promise<boolean> {
  const { count, here } = shardsOf(client);
  if (here.length >= count) return true;
  const guildId = await channelGuildId(client, channelId).catch(() => null);
  return here.includes(guildId === null ? 0 : ShardClientUtil.shardIdForGuildId(guildId, count));
}
