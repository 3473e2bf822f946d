/**
 * Builders for the JSON objects Discord's API returns, shaped the way discord.js v14 reads them.
 * Kept apart from the server so the server file stays about routing and state.
 */

let snowflakeCounter = 0n;
/** A 19-digit snowflake, increasing within one process so "newer" compares as larger. */
export function snowflake(): string {
  snowflakeCounter += 1n;
  const ms = BigInt(Date.now()) - 1420070400000n;
  return ((ms << 22n) | (snowflakeCounter & 0x3fffffn)).toString();
}

/** The shard a guild belongs to with `count` shards: Discord's rule, (guild_id >> 22) % count. */
export function shardOfGuild(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** A fresh snowflake whose guild shard is `shard` of `count` (its timestamp part moved by at most count − 1 ms). */
export function snowflakeOnShard(shard: number, count: number): string {
  const id = BigInt(snowflake());
  let ms = id >> 22n;
  ms += (BigInt(shard) - (ms % BigInt(count)) + BigInt(count)) % BigInt(count);
  return ((ms << 22n) | (id & 0x3fffffn)).toString();
}

export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
}

export interface FakeRole {
  id: string;
  name: string;
  permissions: string;
}

export interface FakeMember {
  user: FakeUser;
  roles: string[];
  /** Computed permission bitfield as a decimal string, as Discord puts it on interaction members. */
  permissions: string;
}

export interface FakeChannel {
  id: string;
  type: number; // 0 text, 11 public thread
  name: string;
  guild_id: string;
  parent_id?: string;
  owner_id?: string;
  /** For threads started from a message: that message's id. */
  starter_message_id?: string;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  /** Bytes as the bot uploaded them (for files the bot sent) or as hosted (for files a user attached). */
  bytes: Uint8Array;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: FakeUser;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: FakeAttachment[];
  allowed_mentions?: unknown;
  flags: number;
  nonce?: string;
  timestamp: string;
  edited_timestamp: string | null;
  /** The interaction this message answers, when it is an interaction response or follow-up. */
  interaction_id?: string;
  thread_id?: string;
}

export const PERMISSION = {
  ADMINISTRATOR: 1n << 3n,
  MANAGE_GUILD: 1n << 5n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  ATTACH_FILES: 1n << 15n,
  USE_APPLICATION_COMMANDS: 1n << 31n,
  CREATE_PUBLIC_THREADS: 1n << 35n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
} as const;

/** What an ordinary member may do: read, write, attach, use commands. No server management. */
export const MEMBER_PERMISSIONS = (
  PERMISSION.VIEW_CHANNEL |
  PERMISSION.SEND_MESSAGES |
  PERMISSION.ATTACH_FILES |
  PERMISSION.USE_APPLICATION_COMMANDS |
  PERMISSION.SEND_MESSAGES_IN_THREADS
).toString();
export const MANAGER_PERMISSIONS = (BigInt(MEMBER_PERMISSIONS) | PERMISSION.MANAGE_GUILD).toString();
export const BOT_PERMISSIONS = (BigInt(MANAGER_PERMISSIONS) | PERMISSION.CREATE_PUBLIC_THREADS).toString();

export function apiUser(u: FakeUser) {
  return {
    id: u.id,
    username: u.username,
    discriminator: '0',
    global_name: u.username,
    avatar: null,
    bot: u.bot ?? false,
  };
}

export function apiChannel(c: FakeChannel) {
  const base: Record<string, unknown> = { id: c.id, type: c.type, name: c.name, guild_id: c.guild_id };
  if (c.type === 11 || c.type === 12) {
    base.parent_id = c.parent_id;
    base.owner_id = c.owner_id;
    base.member_count = 1;
    base.message_count = 0;
    base.thread_metadata = {
      archived: false,
      auto_archive_duration: 1440,
      archive_timestamp: new Date().toISOString(),
      locked: false,
    };
  } else {
    base.position = 0;
    base.permission_overwrites = [];
    base.parent_id = null;
    base.topic = null;
    base.nsfw = false;
  }
  return base;
}

export function apiMember(m: FakeMember) {
  return {
    user: apiUser(m.user),
    roles: m.roles,
    joined_at: '2024-01-01T00:00:00.000Z',
    deaf: false,
    mute: false,
    flags: 0,
    permissions: m.permissions,
  };
}

export function apiRole(r: FakeRole, position: number) {
  return {
    id: r.id,
    name: r.name,
    color: 0,
    hoist: false,
    position,
    permissions: r.permissions,
    managed: false,
    mentionable: true,
    flags: 0,
  };
}

export function apiAttachment(a: FakeAttachment) {
  return {
    id: a.id,
    filename: a.filename,
    size: a.size,
    url: a.url,
    proxy_url: a.proxy_url,
    ...(a.content_type ? { content_type: a.content_type } : {}),
  };
}

export function apiMessage(m: FakeMessage) {
  return {
    id: m.id,
    type: 0,
    channel_id: m.channel_id,
    ...(m.guild_id ? { guild_id: m.guild_id } : {}),
    author: apiUser(m.author),
    content: m.content,
    timestamp: m.timestamp,
    edited_timestamp: m.edited_timestamp,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: m.attachments.map(apiAttachment),
    embeds: m.embeds,
    components: m.components,
    pinned: false,
    flags: m.flags,
    ...(m.nonce !== undefined ? { nonce: m.nonce } : {}),
  };
}
