/** The `stalled` finding of a pushed run that went silent without finishing. */
import type { VerdictItem } from '../domain/verdict.ts';
import type { PushedRunRecord } from './push-store.ts';

/** The finding a silent run gets. Not an engine rule: silence is a fact about time, which the pure engine never sees. */
export function stalledItem(record: PushedRunRecord, silentMs: number): VerdictItem {
  const minutes = Math.round(silentMs / 60_000);
  return {
    id: 'stalled',
    area: 'training',
    status: 'fail',
    title: `No metrics for ${minutes} min and the run was never finished: training may have hung or died`,
    evidence: { lastSeenAt: new Date(record.lastSeenAt).toISOString(), silentMinutes: minutes },
    fix: 'Check the training process (a hung data loader or collective, an OOM kill, a lost node). Call /finish when a run ends so it is not flagged.',
    marks: [],
  };
}
