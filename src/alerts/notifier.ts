/** How an alert leaves the process. The Discord implementation lives in src/bot/discord-notifier.ts. */
import type { AlertPayload } from './alert-store.ts';

export interface AlertMessage {
  payload: AlertPayload;
  /** Where to post: the alert channel for a run's first alert, its thread afterwards. */
  channelId: string;
  /** PNG bytes of the run's chart, when one could be drawn. */
  chart: Uint8Array | null;
  /** Stable per outbox entry: lets Discord drop a repeat of a post whose answer was lost. */
  idempotencyKey: string;
}

export interface Notifier {
  /** Posts the alert; resolves with the message id only after Discord accepted it. */
  postAlert(message: AlertMessage): Promise<{ messageId: string }>;
  /** Opens a thread on a posted message; resolves with the thread id (also when the thread already existed). */
  openThread(channelId: string, messageId: string, name: string): Promise<{ threadId: string }>;
}

/** The channel or thread to post into no longer exists (deleted): not worth retrying as is. */
export class TargetGoneError extends Error {
  constructor(readonly channelId: string) {
    super(`channel ${channelId} no longer exists`);
    this.name = 'TargetGoneError';
  }
}
