/** Rows of the alert tables (settings, outbox, run threads) as both stores read them, and the records they become. */
import type { AlertPayload, AlertSettings, OutboxEntry, RunThread } from '../alerts/alert-store.ts';

export interface SettingsRow {
  guild_id: string;
  channel_id: string;
  role_id: string | null;
  events: string;
  updated_at: number;
  updated_by: string | null;
}

export interface OutboxRow {
  id: number;
  payload: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  message_id: string | null;
  thread_id: string | null;
  delivered_at: number | null;
  last_error: string | null;
}

export interface ThreadRow {
  guild_id: string;
  run_key: string;
  run_id: string;
  channel_id: string;
  thread_id: string;
}

export const toSettings = (r: SettingsRow): AlertSettings => ({
  guildId: r.guild_id,
  channelId: r.channel_id,
  roleId: r.role_id,
  events: JSON.parse(r.events) as string[],
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

export const toEntry = (r: OutboxRow): OutboxEntry => ({
  id: r.id,
  payload: JSON.parse(r.payload) as AlertPayload,
  attempts: r.attempts,
  createdAt: r.created_at,
  nextAttemptAt: r.next_attempt_at,
  messageId: r.message_id,
  threadId: r.thread_id,
  deliveredAt: r.delivered_at,
  lastError: r.last_error,
});

export const toThread = (r: ThreadRow): RunThread => ({
  guildId: r.guild_id,
  runKey: r.run_key,
  runId: r.run_id,
  channelId: r.channel_id,
  threadId: r.thread_id,
});
