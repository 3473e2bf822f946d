/** runmedic token create/list/revoke: the token printed once works against the API, a revoked one does not. */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { openDatabase } from '../../src/store/database.ts';
import { SqlitePushStore } from '../../src/store/sqlite-push-store.ts';
import { verifyApiToken } from '../../src/app/api-tokens.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-token-'));
const db = path.join(dir, 'test.db');

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main([...args, '--db', db], { LOG_LEVEL: 'silent' }, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('runmedic token', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates (shown once), lists without secrets, revokes', async () => {
    const made = await cli('token', 'create', 'ci-runner', '--guild', '123456789012345678');
    expect(made.code).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^rmk_t_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toContain('not shown again');
    const d = openDatabase(db);
    try {
      const who = await verifyApiToken(new SqlitePushStore(d), token);
      expect(who?.guildId).toBe('123456789012345678');
      const list = await cli('token', 'list', '--json');
      const rows = JSON.parse(list.stdout);
      expect(rows).toMatchObject([{ id: who!.tokenId, name: 'ci-runner', guildId: '123456789012345678', revokedAt: null }]);
      expect(list.stdout).not.toContain(token.slice(-43));
      expect((await cli('token', 'revoke', who!.tokenId)).code).toBe(0);
      expect(await verifyApiToken(new SqlitePushStore(d), token)).toBeNull();
      expect((await cli('token', 'revoke', who!.tokenId)).code).toBe(2);
    } finally {
      d.close();
    }
  });

  it('refuses a create without a guild and an unknown action, with exit code 2', async () => {
    const a = await cli('token', 'create', 'x');
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--guild is required');
    expect((await cli('token', 'create', 'x', '--guild', 'abc')).stderr).toContain('--guild: expected a Discord server id');
    expect((await cli('token', 'burn')).code).toBe(2);
  });
});
