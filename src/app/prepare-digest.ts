/**
 * Gathers what a digest needs (runs in the window, their verdicts, threads, the job queue, the previous digest's
 * state) and hands it to the pure buildDigest. Shared by scheduled digests and /digest now.
 */
import type { Run, RunSummary } from '../domain/run.ts';
import type { Verdict } from '../domain/verdict.ts';
import type { RunStore } from '../store/run-store.ts';
import type { DigestState } from '../store/digest-store.ts';
import { buildDigest, DIGEST_GRID_TITLE, digestGridItems, selectWindowRuns, type Digest, type DigestRunInput } from './build-digest.ts';
import { renderDigestGridSvg } from '../charts/digest-grid.ts';
import type { Logger } from '../logger.ts';
import { drawChart, type Rasteriser } from './chart-images.ts';

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
  /** Where the grid's SVG becomes a PNG; without it the grid is drawn in this process. */
  rasterise?: Rasteriser;
  log?: Logger;
}

export interface PrepareDigestRequest {
  guildId: string;
  windowMs: number;
  now: number;
  previous: DigestState | null;
}

/** Cells of the digest grid (renderDigestGrid's default maxItems). */
const GRID_RUNS = 24;

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
    const stored = await src.storedVerdict(summary.id);
    let verdict = stored;
    let series = null;
    if (!stored) {
      // Never reviewed: the curves are loaded for a verdict now, and kept for the grid.
      const run = await src.runs.getRun(summary.id);
      if (!run) continue;
      verdict = await src.computeVerdict(run);
      series = run.series;
    }
    inputs.push({ run: summary, verdict, threadId: await src.threadOf(req.guildId, summary), series });
  }
  // The grid draws the worst GRID_RUNS runs: only their curves are loaded (a run can hold millions of points).
  const order = buildDigest({ runs: inputs, window, previous: req.previous, queuedJobs: 0, grid: false }).entries.slice(0, GRID_RUNS);
  const byId = new Map(inputs.map((r) => [r.run.id, r]));
  for (const e of order) {
    const input = byId.get(e.runId)!;
    if (!input.series) input.series = (await src.runs.getRun(e.runId))?.series ?? null;
  }
  const drawn = new Set(order.map((e) => e.runId));
  for (const input of inputs) if (!drawn.has(input.run.id)) input.series = null;
  const queuedJobs = await src.queuedJobs();
  if (!src.rasterise) return buildDigest({ runs: inputs, window, previous: req.previous, queuedJobs });
  const digest = buildDigest({ runs: inputs, window, previous: req.previous, queuedJobs, grid: false });
  if (digest.empty) return digest;
  const chart = await drawChart(() => renderDigestGridSvg(digestGridItems(digest, inputs), { title: DIGEST_GRID_TITLE }), src.rasterise, { log: src.log, what: { guildId: req.guildId } });
  return { ...digest, grid: chart.png, gridProblem: chart.problem };
}
