/** /alerts set and /alerts show through the real client: who may change them, and what is stored. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { DEFAULT_ALERT_EVENTS } from '../../src/alerts/alert-store.ts';

describe('/alerts', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await BotHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const setOptions = (events?: string) => [
    {
      name: 'set',
      type: 1,
      options: [
        { name: 'channel', type: 7, value: h.fake.alerts.id },
        { name: 'role', type: 8, value: h.fake.oncallRole.id },
        ...(events ? [{ name: 'events', type: 3, value: events }] : []),
      ],
    },
  ];

  it('refuses /alerts set to a member without Manage Server, privately, and stores nothing', async () => {
    const it = h.fake.slash({ name: 'alerts', options: setOptions(), user: h.fake.member });
    const answer = await h.fake.answerOf(it);
    expect(it.callbacks[0].type).toBe(4);
    expect(answer.flags & 64).toBe(64);
    expect(answer.content).toContain('Manage Server');
    expect(await h.alerts.settings(h.fake.guildId)).toBeNull();
  });

  it('lets a manager set channel, role and the default events, and /alerts show reads them back', async () => {
    const answer = await h.fake.answerOf(h.fake.slash({ name: 'alerts', options: setOptions(), user: h.fake.admin }));
    expect(answer.content).toContain('Saved');
    expect(await h.alerts.settings(h.fake.guildId)).toMatchObject({
      channelId: h.fake.alerts.id,
      roleId: h.fake.oncallRole.id,
      events: [...DEFAULT_ALERT_EVENTS],
      updatedBy: h.fake.admin.user.id,
    });
    const shown = await h.fake.answerOf(h.fake.slash({ name: 'alerts', options: [{ name: 'show', type: 1 }] }));
    expect(shown.content).toContain(`<#${h.fake.alerts.id}>`);
    expect(shown.content).toContain(`<@&${h.fake.oncallRole.id}>`);
    // Showing the settings must not ping the role.
    expect(shown.allowed_mentions).toEqual({ parse: [] });
  });

  it('names unknown finding ids instead of saving them', async () => {
    const answer = await h.fake.answerOf(h.fake.slash({ name: 'alerts', options: setOptions('nan_loss, exploding'), user: h.fake.admin }));
    expect(answer.content).toContain('`exploding`');
    expect((await h.alerts.settings(h.fake.guildId))?.events).toEqual([...DEFAULT_ALERT_EVENTS]);
    await h.fake.answerOf(h.fake.slash({ name: 'alerts', options: setOptions('nan_loss plateau'), user: h.fake.admin }));
    expect((await h.alerts.settings(h.fake.guildId))?.events).toEqual(['nan_loss', 'plateau']);
  });
});
