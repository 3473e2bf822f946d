/**
 * Which pings a verdict causes. Pure: a guild is pinged for each `fail` item among its alert events that this
 * run has not pinged it for yet; a muted run pings nobody. All new findings of one verdict go in one message.
 */
import type { Verdict } from '../domain/verdict.ts';
import type { AlertDecision, DecisionInput } from './alert-store.ts';

export function decideAlerts(input: DecisionInput): AlertDecision {
  if (input.muted) return [];
  const out: AlertDecision = [];
  for (const s of input.settings) {
    const already = input.alreadyAlerted.get(s.guildId) ?? new Set<string>();
    const findings = newFailures(input.verdict, s.events, already).map((item) => ({
      id: item.id,
      title: item.title,
      evidence: item.evidence,
    }));
    if (!findings.length) continue;
    out.push({
      payload: {
        guildId: s.guildId,
        channelId: s.channelId,
        roleId: s.roleId,
        runKey: input.runKey,
        runId: input.verdict.run.id,
        runName: input.verdict.run.name,
        verdictStatus: input.verdict.status,
        findings,
      },
    });
  }
  return out;
}

function newFailures(verdict: Verdict, events: readonly string[], already: ReadonlySet<string>) {
  const wanted = new Set(events);
  return verdict.items.filter((i) => i.status === 'fail' && wanted.has(i.id) && !already.has(i.id));
}
