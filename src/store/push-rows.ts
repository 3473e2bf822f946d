/** Rows of the push tables (migration 4) as both stores read them, and the records they become. */
import type { ApiTokenRecord, PushedRunRecord } from '../app/push-store.ts';
import type { DiagnoseContext } from '../domain/context.ts';

export interface TokenRow {
  id: string;
  guild_id: string;
  name: string;
  secret_hash: string;
  created_at: number;
  created_by: string | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface PushedRow {
  run_id: string;
  guild_id: string;
  token_id: string;
  client_key: string | null;
  channel_id: string | null;
  context: string;
  last_seen_at: number;
  stalled_at: number | null;
}

export const toToken = (r: TokenRow): ApiTokenRecord => ({
  id: r.id,
  guildId: r.guild_id,
  name: r.name,
  secretHash: r.secret_hash,
  createdAt: r.created_at,
  createdBy: r.created_by,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

export const toPushed = (r: PushedRow): PushedRunRecord => ({
  runId: r.run_id,
  guildId: r.guild_id,
  tokenId: r.token_id,
  clientKey: r.client_key,
  channelId: r.channel_id,
  context: JSON.parse(r.context) as DiagnoseContext,
  lastSeenAt: r.last_seen_at,
  stalledAt: r.stalled_at,
});
