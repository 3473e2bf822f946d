/**
 * Persistence the alerting needs, as an interface so the SQL stays in src/store/ (sqlite-alert-store.ts).
 * A "run key" is the run's name: re-uploads of a growing log are new run records with the same name, and for
 * pings, mutes and threads they are the same run.
 */
import type { Verdict } from '../domain/verdict.ts';

export const DEFAULT_ALERT_EVENTS: readonly string[] = ['divergence', 'nan_loss', 'overfitting'];

export interface AlertSettings {
  guildId: string;
  channelId: string;
  /** Role to mention; null pings nobody but still posts. */
  roleId: string | null;
  /** Verdict item ids whose `fail` triggers a ping. */
  events: string[];
  updatedAt: number;
  updatedBy: string | null;
}

export interface AlertFinding {
  id: string;
  title: string;
  evidence: Record<string, unknown>;
  /** Ids of the findings this one explains (they pass with explainedBy = id): shown folded under it. */
  alsoExplains?: string[];
  /** 'warn' for the warnings a status update lists; absent on alerts, which carry failures only. */
  status?: 'fail' | 'warn';
}

/** What one outbox entry asks the dispatcher to post. Frozen at decision time. */
export interface AlertPayload {
  guildId: string;
  channelId: string;
  roleId: string | null;
  runKey: string;
  runId: string;
  runName: string;
  verdictStatus: string;
  /** New failing findings (a ping), or for an update the run's current failures. */
  findings: AlertFinding[];
  /**
   * 'alert' (default): new failures, with the role mention, opening the run's thread if needed.
   * 'update': the verdict of a run that already has a thread changed status; posted in the thread, no mention.
   */
  kind?: 'alert' | 'update';
  previousStatus?: string;
  /**
   * Whether this alert mentions the role. One incident, one ping: only a run's first alert in a guild pings, or the
   * first after someone re-armed the run; later ones go to its thread quietly. Absent in entries queued before this
   * field existed: they ping when a role is set, as they did then.
   */
  ping?: boolean;
}

export interface OutboxEntry {
  id: number;
  payload: AlertPayload;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  /** Set once Discord accepted the message, so a retry only finishes the thread step. */
  messageId: string | null;
  threadId: string | null;
  deliveredAt: number | null;
  lastError: string | null;
}

export interface RunThread {
  guildId: string;
  runKey: string;
  runId: string;
  channelId: string;
  threadId: string;
}

/** What the store hands the pure decision inside its transaction. */
export interface DecisionInput {
  verdict: Verdict;
  runKey: string;
  settings: AlertSettings[];
  muted: boolean;
  /** Per guild id: finding ids this run already pinged for. */
  alreadyAlerted: Map<string, Set<string>>;
  /** Status of the run's (by name) previous recorded verdict, null when none. */
  previousStatus: string | null;
  /** Guild ids where the run has a thread. */
  threadGuilds: Set<string>;
  /** Guild ids where someone re-armed this run since its last ping: its next alert there pings again. */
  rearmed: Set<string>;
}

export type AlertDecision = { payload: AlertPayload }[];

export interface AlertStore {
  getSettings(guildId: string): Promise<AlertSettings | null>;
  listSettings(): Promise<AlertSettings[]>;
  saveSettings(settings: AlertSettings): Promise<void>;

  /**
   * In ONE transaction: saves the run's latest verdict, asks `decide` which pings are new, records them as alerted
   * (and a re-arm as used once it pinged) and enqueues them in the outbox. Returns the new outbox entries.
   */
  recordVerdict(verdict: Verdict, runKey: string, decide: (input: DecisionInput) => AlertDecision, now: number): Promise<OutboxEntry[]>;
  latestVerdict(runId: string): Promise<Verdict | null>;

  /** After a ping, the run's next alert in this guild pings again (the re-arm button of a quiet alert). */
  rearm(guildId: string, runKey: string, by: string | null, now: number): Promise<void>;
  mute(runKey: string, by: string | null, now: number): Promise<void>;
  unmute(runKey: string): Promise<void>;
  isMuted(runKey: string): Promise<boolean>;

  threadOf(guildId: string, runKey: string): Promise<RunThread | null>;
  threadById(threadId: string): Promise<RunThread | null>;
  saveThread(thread: RunThread): Promise<void>;
  /** Forgets a run's thread (deleted on Discord): its next alert opens a new one. */
  forgetThread(threadId: string): Promise<void>;

  /** Undelivered entries, oldest first (due or not: the dispatcher keeps each run's alerts in order). */
  pendingOutbox(limit: number): Promise<OutboxEntry[]>;
  /** Earliest next attempt among undelivered entries, or null when the outbox is empty. */
  nextDueAt(): Promise<number | null>;
  markPosted(id: number, messageId: string): Promise<void>;
  markDelivered(id: number, threadId: string | null, now: number): Promise<void>;
  markFailed(id: number, error: string, nextAttemptAt: number): Promise<void>;
  outbox(): Promise<OutboxEntry[]>;
}
