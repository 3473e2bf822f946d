/**
 * API tokens: created for one guild, shown once, stored only as a sha256 hash, checked in constant time, revocable.
 * A token reads `rmk_<id>_<secret>`: the id finds the row without scanning, the secret proves possession.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiTokenRecord, PushStore } from './push-store.ts';

export interface CreatedToken {
  /** The whole token: give it to the user once, never store or log it. */
  token: string;
  record: ApiTokenRecord;
}

/** Who a valid token speaks for. */
export interface TokenIdentity {
  tokenId: string;
  guildId: string;
}

const TOKEN_RE = /^rmk_(t_[a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export async function createApiToken(
  store: PushStore,
  input: { guildId: string; name?: string; by?: string | null },
  now: number,
  random: (n: number) => Uint8Array = randomBytes,
): Promise<CreatedToken> {
  const id = `t_${Buffer.from(random(8)).toString('hex').slice(0, 10)}`;
  // 32 random bytes: the token's strength; base64url keeps it copy-pasteable.
  const secret = Buffer.from(random(32)).toString('base64url');
  const token = `rmk_${id}_${secret}`;
  const record: ApiTokenRecord = {
    id,
    guildId: input.guildId,
    name: input.name?.trim() || 'api token',
    secretHash: hashToken(token),
    createdAt: now,
    createdBy: input.by ?? null,
    revokedAt: null,
    lastUsedAt: null,
  };
  await store.insertToken(record);
  return { token, record };
}

/** The identity behind a bearer token, or null when it is malformed, unknown, revoked or wrong. */
export async function verifyApiToken(store: PushStore, token: string): Promise<TokenIdentity | null> {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  const record = await store.tokenById(m[1]!);
  if (!record || record.revokedAt !== null) return null;
  const given = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(record.secretHash, 'hex');
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
  return { tokenId: record.id, guildId: record.guildId };
}

export function revokeApiToken(store: PushStore, id: string, now: number, guildId?: string): Promise<boolean> {
  return store.revokeToken(id, now, guildId);
}

export function listApiTokens(store: PushStore, guildId?: string): Promise<ApiTokenRecord[]> {
  return store.listTokens(guildId);
}
