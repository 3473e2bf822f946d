/**
 * The alerting use cases every face shares: record a verdict and enqueue the pings it causes (one transaction),
 * settings, mutes, and the run ↔ thread mapping.
 */
import type { Verdict } from '../domain/verdict.ts';
import { DEFAULT_ALERT_EVENTS, type AlertSettings, type AlertStore, type OutboxEntry, type RunThread } from './alert-store.ts';
import { decideAlerts } from './decide-alerts.ts';

/** Runs are alerted, muted and threaded by name: a re-uploaded, longer log of the same run is the same run. */
export function runKeyOf(run: { name: string }): string {
  return run.name;
}

export class AlertService {
  /** Called after new outbox entries were committed (the dispatcher's kick). */
  onEnqueued: () => void = () => {};

  constructor(
    readonly store: AlertStore,
    private readonly now: () => number = Date.now,
  ) {}

  async afterVerdict(verdict: Verdict): Promise<OutboxEntry[]> {
    const created = await this.store.recordVerdict(verdict, runKeyOf(verdict.run), decideAlerts, this.now());
    if (created.length) this.onEnqueued();
    return created;
  }

  settings(guildId: string): Promise<AlertSettings | null> {
    return this.store.getSettings(guildId);
  }

  async configure(input: { guildId: string; channelId: string; roleId: string | null; events?: string[]; by: string | null }): Promise<AlertSettings> {
    const settings: AlertSettings = {
      guildId: input.guildId,
      channelId: input.channelId,
      roleId: input.roleId,
      events: input.events?.length ? [...new Set(input.events)] : [...DEFAULT_ALERT_EVENTS],
      updatedAt: this.now(),
      updatedBy: input.by,
    };
    await this.store.saveSettings(settings);
    return settings;
  }

  /** The run's next alert in this guild pings the role again (and a mute of the run is lifted). */
  async rearm(guildId: string, run: { name: string }, by: string | null): Promise<void> {
    await this.store.unmute(runKeyOf(run));
    await this.store.rearm(guildId, runKeyOf(run), by, this.now());
  }

  mute(run: { name: string }, by: string | null): Promise<void> {
    return this.store.mute(runKeyOf(run), by, this.now());
  }

  isMuted(run: { name: string }): Promise<boolean> {
    return this.store.isMuted(runKeyOf(run));
  }

  threadOf(guildId: string, run: { name: string }): Promise<RunThread | null> {
    return this.store.threadOf(guildId, runKeyOf(run));
  }

  threadById(threadId: string): Promise<RunThread | null> {
    return this.store.threadById(threadId);
  }

  saveThread(t: RunThread): Promise<void> {
    return this.store.saveThread(t);
  }
}
