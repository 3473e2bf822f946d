/**
 * Gathers what a digest needs (runs in the window, their verdicts, threads, the job queue, the previous digest's
 * state) and hands it to the pure buildDigest. Shared by scheduled digests and /digest now.
 */
import type { Run, RunSummary } from '../domain/run.ts';
import type { Verdict } from '../domain/verdict.ts';
import type { RunStore } from '../store/run-store.ts';
import type { DigestState } from '../store/digest-store.ts';
import { buildDigest, selectWindowRuns, type Digest, type DigestRunInput } from './build-digest.ts';

export interface DigestSources {
  runs: RunStore;
  /** The stored verdict of a run (the one alerts were decided on), or null when it was never reviewed. */
  storedVerdict(runId: string): Promise<Verdict | null>;
  /** A verdict computed now for a run never reviewed (RunReporter.verdictOf). */
  computeVerdict(run: Run): Promise<Verdict>;
  /** The run's thread id in a guild, or null. */
  threadOf(guildId: string, run: RunSummary): Promise<string | null>;
  /** Training jobs waiting in the queue. */
  queuedJobs(): Promise<number>;
}

export interface PrepareDigestRequest {
  guildId: string;
  windowMs: number;
  now: number;
  previous: DigestState | null;
}

/** Runs looked at per digest (newest first), besides every live one. */
const RECENT_RUNS = 2000;

export async function prepareDigest(src: DigestSources, req: PrepareDigestRequest): Promise<Digest> {
  const window = { from: req.now - req.windowMs, to: req.now };
  const [recent, running, stalled] = await Promise.all([
    src.runs.listRuns({ limit: RECENT_RUNS }),
    src.runs.listRuns({ status: 'running', limit: RECENT_RUNS }),
    src.runs.listRuns({ status: 'stalled', limit: RECENT_RUNS }),
  ]);
  const chosen = selectWindowRuns([...recent, ...running, ...stalled], window);
  const inputs: DigestRunInput[] = [];
  for (const summary of chosen) {
    // The curves are needed for the grid anyway; a verdict is computed only for a run never reviewed.
    const run = await src.runs.getRun(summary.id);
    if (!run) continue;
    const verdict = (await src.storedVerdict(run.id)) ?? (await src.computeVerdict(run));
    inputs.push({ run: summary, verdict, threadId: await src.threadOf(req.guildId, summary), series: run.series });
  }
  return buildDigest({ runs: inputs, window, previous: req.previous, queuedJobs: await src.queuedJobs() });
}
