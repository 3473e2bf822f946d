/** PushStore on PostgreSQL (tables of migration 4). */
import type { ApiTokenRecord, PushedRunRecord, PushStore } from '../../app/push-store.ts';
import type { DiagnoseContext } from '../../domain/context.ts';
import { toPushed, toToken, type PushedRow, type TokenRow } from '../push-rows.ts';
import { inTransaction, TickBatch, type PgPool } from './pg-database.ts';

export class PgPushStore implements PushStore {
  constructor(private readonly pool: PgPool) {}

  async insertToken(t: ApiTokenRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO api_tokens (id, guild_id, name, secret_hash, created_at, created_by, revoked_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [t.id, t.guildId, t.name, t.secretHash, t.createdAt, t.createdBy, t.revokedAt, t.lastUsedAt],
    );
  }

  /** Read for every API request: the lookups of one turn of the event loop go in one query. */
  private readonly tokenLookups = new TickBatch<string, ApiTokenRecord | null>(async (ids) => {
    const rows = (await this.pool.query<TokenRow>({ name: 'runmedic-tokens-by-id', text: 'SELECT * FROM api_tokens WHERE id = ANY($1::text[])', values: [ids] })).rows;
    const byId = new Map(rows.map((r) => [r.id, toToken(r)]));
    return ids.map((id) => ({ ok: true, value: byId.get(id) ?? null }));
  });

  tokenById(id: string): Promise<ApiTokenRecord | null> {
    return this.tokenLookups.request(id);
  }

  async listTokens(guildId?: string): Promise<ApiTokenRecord[]> {
    const r = guildId === undefined
      ? await this.pool.query<TokenRow>('SELECT * FROM api_tokens ORDER BY created_at, id')
      : await this.pool.query<TokenRow>('SELECT * FROM api_tokens WHERE guild_id = $1 ORDER BY created_at, id', [guildId]);
    return r.rows.map(toToken);
  }

  async revokeToken(id: string, now: number, guildId?: string): Promise<boolean> {
    const r = guildId === undefined
      ? await this.pool.query('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id])
      : await this.pool.query('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND guild_id = $3 AND revoked_at IS NULL', [now, id, guildId]);
    return (r.rowCount ?? 0) > 0;
  }

  async touchToken(id: string, now: number): Promise<void> {
    await this.pool.query('UPDATE api_tokens SET last_used_at = $1 WHERE id = $2', [now, id]);
  }

  async insertPushedRun(r: PushedRunRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO pushed_runs (run_id, guild_id, token_id, client_key, channel_id, context, last_seen_at, stalled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.runId, r.guildId, r.tokenId, r.clientKey, r.channelId, JSON.stringify(r.context), r.lastSeenAt, r.stalledAt],
    );
  }

  async pushedRun(runId: string): Promise<PushedRunRecord | null> {
    const r = (await this.pool.query<PushedRow>('SELECT * FROM pushed_runs WHERE run_id = $1', [runId])).rows[0];
    return r ? toPushed(r) : null;
  }

  async pushedRunByClientKey(guildId: string, clientKey: string): Promise<PushedRunRecord | null> {
    const r = (await this.pool.query<PushedRow>('SELECT * FROM pushed_runs WHERE guild_id = $1 AND client_key = $2', [guildId, clientKey])).rows[0];
    return r ? toPushed(r) : null;
  }

  async setContext(runId: string, context: DiagnoseContext, now: number): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query('UPDATE pushed_runs SET context = $1 WHERE run_id = $2', [JSON.stringify(context), runId]);
      // +1: a new version even when the clock has not moved (two posts in one millisecond, a fixed test clock).
      await c.query('UPDATE runs SET updated_at = GREATEST(updated_at + 1, $1) WHERE id = $2', [now, runId]);
    });
  }

  async touchRun(runId: string, now: number): Promise<void> {
    await this.pool.query('UPDATE pushed_runs SET last_seen_at = $1, stalled_at = NULL WHERE run_id = $2', [now, runId]);
  }

  async silentSince(before: number): Promise<PushedRunRecord[]> {
    const r = await this.pool.query<PushedRow>(
      `SELECT p.* FROM pushed_runs p JOIN runs r ON r.id = p.run_id WHERE p.last_seen_at < $1 AND r.status = 'running' ORDER BY p.last_seen_at`,
      [before],
    );
    return r.rows.map(toPushed);
  }

  async markStalled(runId: string, now: number): Promise<void> {
    await this.pool.query('UPDATE pushed_runs SET stalled_at = $1 WHERE run_id = $2', [now, runId]);
  }
}
