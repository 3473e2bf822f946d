/** PushStore on SQLite (tables from migration 4, push-tables-sql.ts). */
import type { Database, Statement } from 'better-sqlite3';
import type { ApiTokenRecord, PushedRunRecord, PushStore } from '../app/push-store.ts';
import type { DiagnoseContext } from '../domain/context.ts';
import { toPushed, toToken, type PushedRow, type TokenRow } from './push-rows.ts';

export class SqlitePushStore implements PushStore {
  private readonly st: Record<string, Statement>;

  constructor(private readonly db: Database) {
    const p = (sql: string) => db.prepare(sql);
    this.st = {
      insertToken: p(
        `INSERT INTO api_tokens (id, guild_id, name, secret_hash, created_at, created_by, revoked_at, last_used_at)
         VALUES (@id, @guildId, @name, @secretHash, @createdAt, @createdBy, @revokedAt, @lastUsedAt)`,
      ),
      tokenById: p('SELECT * FROM api_tokens WHERE id = ?'),
      listAll: p('SELECT * FROM api_tokens ORDER BY created_at, id'),
      listGuild: p('SELECT * FROM api_tokens WHERE guild_id = ? ORDER BY created_at, id'),
      revoke: p('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      revokeInGuild: p('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND guild_id = ? AND revoked_at IS NULL'),
      touchToken: p('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
      insertPushed: p(
        `INSERT INTO pushed_runs (run_id, guild_id, token_id, client_key, channel_id, context, last_seen_at, stalled_at)
         VALUES (@runId, @guildId, @tokenId, @clientKey, @channelId, @context, @lastSeenAt, @stalledAt)`,
      ),
      pushed: p('SELECT * FROM pushed_runs WHERE run_id = ?'),
      pushedByKey: p('SELECT * FROM pushed_runs WHERE guild_id = ? AND client_key = ?'),
      setContext: p('UPDATE pushed_runs SET context = ? WHERE run_id = ?'),
      // +1: a new version even when the clock has not moved (two posts in one millisecond, a fixed test clock).
      touchRunVersion: p('UPDATE runs SET updated_at = max(updated_at + 1, ?) WHERE id = ?'),
      touchRun: p('UPDATE pushed_runs SET last_seen_at = ?, stalled_at = NULL WHERE run_id = ?'),
      silent: p(
        `SELECT p.* FROM pushed_runs p JOIN runs r ON r.id = p.run_id
         WHERE p.last_seen_at < ? AND r.status = 'running' ORDER BY p.last_seen_at`,
      ),
      markStalled: p('UPDATE pushed_runs SET stalled_at = ? WHERE run_id = ?'),
    };
  }

  async insertToken(t: ApiTokenRecord): Promise<void> {
    this.st.insertToken!.run(t);
  }

  async tokenById(id: string): Promise<ApiTokenRecord | null> {
    const r = this.st.tokenById!.get(id) as TokenRow | undefined;
    return r ? toToken(r) : null;
  }

  async listTokens(guildId?: string): Promise<ApiTokenRecord[]> {
    const rows = (guildId === undefined ? this.st.listAll!.all() : this.st.listGuild!.all(guildId)) as TokenRow[];
    return rows.map(toToken);
  }

  async revokeToken(id: string, now: number, guildId?: string): Promise<boolean> {
    const r = guildId === undefined ? this.st.revoke!.run(now, id) : this.st.revokeInGuild!.run(now, id, guildId);
    return r.changes > 0;
  }

  async touchToken(id: string, now: number): Promise<void> {
    this.st.touchToken!.run(now, id);
  }

  async insertPushedRun(r: PushedRunRecord): Promise<void> {
    this.st.insertPushed!.run({ ...r, context: JSON.stringify(r.context) });
  }

  async pushedRun(runId: string): Promise<PushedRunRecord | null> {
    const r = this.st.pushed!.get(runId) as PushedRow | undefined;
    return r ? toPushed(r) : null;
  }

  async pushedRunByClientKey(guildId: string, clientKey: string): Promise<PushedRunRecord | null> {
    const r = this.st.pushedByKey!.get(guildId, clientKey) as PushedRow | undefined;
    return r ? toPushed(r) : null;
  }

  async setContext(runId: string, context: DiagnoseContext, now: number): Promise<void> {
    this.db.transaction(() => {
      this.st.setContext!.run(JSON.stringify(context), runId);
      this.st.touchRunVersion!.run(now, runId);
    })();
  }

  async touchRun(runId: string, now: number): Promise<void> {
    this.st.touchRun!.run(now, runId);
  }

  async silentSince(before: number): Promise<PushedRunRecord[]> {
    return (this.st.silent!.all(before) as PushedRow[]).map(toPushed);
  }

  async markStalled(runId: string, now: number): Promise<void> {
    this.st.markStalled!.run(now, runId);
  }
}
