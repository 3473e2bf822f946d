/**
 * Persistence for the HTTP push API (tokens, ownership of pushed runs, their context and last-seen times), as an
 * interface so the SQL stays in src/store/ (sqlite-push-store.ts).
 */
import type { DiagnoseContext } from '../domain/context.ts';

export interface ApiTokenRecord {
  /** Public id ('t_…'): shown in lists, used to revoke, safe to log. */
  id: string;
  guildId: string;
  name: string;
  /** sha256 hex of the whole token string. */
  secretHash: string;
  createdAt: number;
  createdBy: string | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface PushedRunRecord {
  runId: string;
  guildId: string;
  tokenId: string;
  clientKey: string | null;
  channelId: string | null;
  context: DiagnoseContext;
  lastSeenAt: number;
  stalledAt: number | null;
}

export interface PushStore {
  insertToken(t: ApiTokenRecord): Promise<void>;
  tokenById(id: string): Promise<ApiTokenRecord | null>;
  listTokens(guildId?: string): Promise<ApiTokenRecord[]>;
  /** True when a live token was revoked (false: unknown, already revoked, or another guild's when guildId is given). */
  revokeToken(id: string, now: number, guildId?: string): Promise<boolean>;
  touchToken(id: string, now: number): Promise<void>;

  insertPushedRun(r: PushedRunRecord): Promise<void>;
  pushedRun(runId: string): Promise<PushedRunRecord | null>;
  pushedRunByClientKey(guildId: string, clientKey: string): Promise<PushedRunRecord | null>;
  /**
   * Stores the run's declared context and moves the run's updated_at to `now` in one transaction: reports are cached
   * per run version (id + updatedAt), so new dataset statistics must make a new version or /diagnose serves the old one.
   */
  setContext(runId: string, context: DiagnoseContext, now: number): Promise<void>;
  /** Records activity; clears a stall mark. */
  touchRun(runId: string, now: number): Promise<void>;
  /** Pushed runs whose store status is 'running' and that sent nothing since `before` (ms). */
  silentSince(before: number): Promise<PushedRunRecord[]>;
  markStalled(runId: string, now: number): Promise<void>;
}
