/**
 * Uploaded bytes → stored runs → a verdict per run → the pings those verdicts cause (saved in the outbox in one
 * transaction with the verdict). The bot's /ingest and the HTTP push share it.
 */
import type { AlertService } from '../alerts/alert-service.ts';
import type { OutboxEntry } from '../alerts/alert-store.ts';
import type { RunStore } from '../store/run-store.ts';
import { ingestBytes, type IngestedRun, type IngestOptions } from './ingest-files.ts';
import type { RunReport, RunReporter } from './run-report.ts';

export interface ReviewedRun {
  ingested: IngestedRun;
  report: RunReport;
  /** Pings this run caused now (empty when none was new, or alerts are not configured). */
  alerts: OutboxEntry[];
}

export interface ReviewDeps {
  store: RunStore;
  reporter: RunReporter;
  alerts: AlertService;
}

export async function ingestAndReview(deps: ReviewDeps, bytes: Uint8Array, fileName: string, opts: IngestOptions = {}): Promise<ReviewedRun[]> {
  const ingested = await ingestBytes(deps.store, bytes, fileName, opts);
  const out: ReviewedRun[] = [];
  for (const item of ingested) {
    const report = await deps.reporter.report(item.run.id);
    out.push({ ingested: item, report, alerts: await deps.alerts.afterVerdict(report.verdict) });
  }
  return out;
}
