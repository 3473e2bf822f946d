/**
 * Which alerts a verdict causes. Pure: a guild hears of each `fail` item among its alert events that this run has not
 * alerted it of yet; a muted run alerts nobody. All new findings of one verdict go in one message.
 * One incident, one ping: the role is mentioned on the run's first alert in a guild only (or the first after someone
 * re-armed the run); later findings of the same run go to its thread without a mention.
 * Without a new finding, a run that has a thread gets a quiet update there when its overall status changed
 * (recovered, or got worse through findings outside the alert events).
 */
import type { Verdict, VerdictItem } from '../domain/verdict.ts';
import type { AlertDecision, AlertFinding, AlertSettings, DecisionInput } from './alert-store.ts';

export function decideAlerts(input: DecisionInput): AlertDecision {
  if (input.muted) return [];
  const out: AlertDecision = [];
  for (const s of input.settings) {
    const already = input.alreadyAlerted.get(s.guildId) ?? new Set<string>();
    const findings = newFailures(input.verdict, s.events, already).map((i) => toFinding(i, input.verdict));
    if (!findings.length) {
      const changed = input.previousStatus !== null && input.previousStatus !== input.verdict.status;
      if (changed && input.threadGuilds.has(s.guildId)) {
        out.push({
          payload: {
            ...base(input, s),
            kind: 'update',
            previousStatus: input.previousStatus!,
            // What the run has open now, failures then warnings: a run that went to warnings says which.
            findings: (['fail', 'warn'] as const).flatMap((st) =>
              input.verdict.items.filter((i) => i.status === st).map((i) => ({ ...toFinding(i, input.verdict), ...(st === 'warn' ? { status: st } : {}) })),
            ),
          },
        });
      }
      continue;
    }
    const ping = s.roleId !== null && (already.size === 0 || input.rearmed.has(s.guildId));
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
        ping,
      },
    });
  }
  return out;
}

function toFinding(item: VerdictItem, verdict: Verdict): AlertFinding {
  const explained = verdict.items.filter((i) => i.explainedBy === item.id && i.status === 'pass').map((i) => i.id);
  return { id: item.id, title: item.title, evidence: item.evidence, ...(explained.length ? { alsoExplains: explained } : {}) };
}

function base(input: DecisionInput, s: AlertSettings) {
  return {
    guildId: s.guildId,
    channelId: s.channelId,
    roleId: null,
    runKey: input.runKey,
    runId: input.verdict.run.id,
    runName: input.verdict.run.name,
    verdictStatus: input.verdict.status,
  };
}

function newFailures(verdict: Verdict, events: readonly string[], already: ReadonlySet<string>) {
  const wanted = new Set(events);
  return verdict.items.filter((i) => i.status === 'fail' && wanted.has(i.id) && !already.has(i.id));
}
