/** /token: Manage Server only, the token shown once and privately, works against the API, revocable per server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { SqlitePushStore } from '../../src/store/sqlite-push-store.ts';
import { verifyApiToken } from '../../src/app/api-tokens.ts';

describe('/token', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await BotHarness.start();
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('refuses a member without Manage Server, privately', async () => {
    const answer = await h.fake.answerOf(h.fake.slash({ name: 'token', options: [{ name: 'create', type: 1 }], user: h.fake.member }));
    expect(answer.flags & 64).toBe(64);
    expect(answer.content).toContain('Manage Server');
    expect(await new SqlitePushStore(h.db).listTokens()).toEqual([]);
  });

  it('creates an ephemeral token for this server, lists it without the secret, and revokes it', async () => {
    const push = new SqlitePushStore(h.db);
    const made = await h.fake.answerOf(
      h.fake.slash({ name: 'token', options: [{ name: 'create', type: 1, options: [{ name: 'name', type: 3, value: 'lab box' }] }], user: h.fake.admin }),
    );
    expect(made.flags & 64).toBe(64);
    const token = /rmk_t_[a-z0-9]{10}_[A-Za-z0-9_-]{43}/.exec(made.content)?.[0];
    expect(token).toBeDefined();
    const who = await verifyApiToken(push, token!);
    expect(who).toEqual({ tokenId: expect.stringMatching(/^t_/), guildId: h.fake.guildId });

    const listed = await h.fake.answerOf(h.fake.slash({ name: 'token', options: [{ name: 'list', type: 1 }], user: h.fake.admin }));
    expect(listed.content).toContain(who!.tokenId);
    expect(listed.content).toContain('lab box');
    expect(listed.content).not.toContain(token!.slice(-43));

    const revoked = await h.fake.answerOf(
      h.fake.slash({ name: 'token', options: [{ name: 'revoke', type: 1, options: [{ name: 'id', type: 3, value: who!.tokenId }] }], user: h.fake.admin }),
    );
    expect(revoked.content).toContain('revoked');
    expect(await verifyApiToken(push, token!)).toBeNull();
  });
});
