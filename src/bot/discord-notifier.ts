/** The Notifier that posts alerts and opens threads through discord.js's REST client. */
import { DiscordAPIError, Routes, type Client } from 'discord.js';
import { TargetGoneError, type AlertMessage, type Notifier } from '../alerts/notifier.ts';
import { ALERT_CHART_FILE, alertMessage } from './presenters/alert-message.ts';

/** Discord's "A thread has already been created for this message". */
const THREAD_ALREADY_EXISTS = 160004;
/** Discord's "Unknown Channel": deleted channel or thread. */
const UNKNOWN_CHANNEL = 10003;

export class DiscordNotifier implements Notifier {
  constructor(private readonly client: Client) {}

  async postAlert(m: AlertMessage): Promise<{ messageId: string }> {
    const body = alertMessage(m.payload, { withChart: m.chart !== null, nonce: m.idempotencyKey });
    const files = m.chart ? [{ name: ALERT_CHART_FILE, data: Buffer.from(m.chart), contentType: 'image/png' }] : undefined;
    try {
      const res = (await this.client.rest.post(Routes.channelMessages(m.channelId), { body, files })) as { id: string };
      return { messageId: res.id };
    } catch (e) {
      if (e instanceof DiscordAPIError && e.code === UNKNOWN_CHANNEL) throw new TargetGoneError(m.channelId);
      throw e;
    }
  }

  async openThread(channelId: string, messageId: string, name: string): Promise<{ threadId: string }> {
    try {
      const res = (await this.client.rest.post(Routes.threads(channelId, messageId), {
        body: { name, auto_archive_duration: 10080 },
      })) as { id: string };
      return { threadId: res.id };
    } catch (e) {
      // A retry after a lost answer: the thread is there, and a thread started from a message shares its id.
      if (e instanceof DiscordAPIError && e.code === THREAD_ALREADY_EXISTS) return { threadId: messageId };
      throw e;
    }
  }
}
