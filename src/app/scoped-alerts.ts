/**
 * Alerts for a run that belongs to one guild (pushed with that guild's token): only that guild hears of it, in the
 * run's own channel when the client named one. Wraps the alerting's pure decision; the verdict and its pings are
 * still recorded in one transaction by AlertStore.recordVerdict.
 */
import { runKeyOf, type AlertService } from '../alerts/alert-service.ts';
import { DEFAULT_ALERT_EVENTS, type AlertDecision, type DecisionInput, type OutboxEntry } from '../alerts/alert-store.ts';
import { decideAlerts } from '../alerts/decide-alerts.ts';
import type { Verdict } from '../domain/verdict.ts';

export interface AlertScope {
  guildId: string;
  /** Overrides the guild's alert channel; with no /alerts settings, the default events ping here without a role. */
  channelId?: string;
}

/**
 * `stalled` is always an alert event for pushed runs: it is not an engine finding, /alerts does not list it, and a
 * hung run is exactly what people stream their metrics to hear about.
 */
export function decideAlertsFor(scope: AlertScope): (input: DecisionInput) => AlertDecision {
  return (input) => {
    const own = input.settings.find((s) => s.guildId === scope.guildId);
    const base = own
      ? { ...own, channelId: scope.channelId ?? own.channelId }
      : scope.channelId
        ? { guildId: scope.guildId, channelId: scope.channelId, roleId: null, events: [...DEFAULT_ALERT_EVENTS], updatedAt: 0, updatedBy: null }
        : null;
    const settings = base ? [{ ...base, events: [...new Set([...base.events, 'stalled'])] }] : [];
    return decideAlerts({ ...input, settings });
  };
}

export async function recordScopedVerdict(alerts: AlertService, verdict: Verdict, scope: AlertScope, now: number): Promise<OutboxEntry[]> {
  const created = await alerts.store.recordVerdict(verdict, runKeyOf(verdict.run), decideAlertsFor(scope), now);
  if (created.length) alerts.onEnqueued();
  return created;
}
