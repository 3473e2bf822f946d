/** Posts a scheduled digest to its channel through discord.js's REST client. */
import { Routes, type Client } from 'discord.js';
import type { Digest } from '../app/build-digest.ts';
import type { DigestSchedule } from '../store/digest-store.ts';
import type { DigestSlot } from '../schedule/digest-scheduler.ts';
import { digestMessage } from './presenters/digest-message.ts';

export function discordDigestPoster(client: Client) {
  return async (schedule: DigestSchedule, digest: Digest, slot: DigestSlot): Promise<{ messageId: string | null }> => {
    const m = digestMessage(digest, { late: slot.late ? { slotAt: slot.slotAt, timezone: schedule.timezone } : null, scheduleId: schedule.id, timezone: schedule.timezone });
    const body = {
      content: m.content,
      embeds: m.embeds,
      allowed_mentions: { parse: [] },
      // Discord drops a second message with the same nonce within minutes: a retried post is not doubled.
      nonce: `dg${schedule.id.slice(2)}${slot.slotAt.toString(36)}`.slice(0, 25),
      enforce_nonce: true,
    };
    const res = (await client.rest.post(Routes.channelMessages(schedule.channelId), { body, files: m.files.length ? m.files : undefined })) as { id: string };
    return { messageId: res.id };
  };
}
