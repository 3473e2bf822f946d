/**
 * A run-health digest from runs, their verdicts and the previous digest's state. Pure: the caller (prepareDigest)
 * loads what is needed; this decides what the digest says and draws its grid.
 *
 * A run's digest status, worst first: failing (verdict fails, or the run crashed or was killed) > stalled > running >
 * warning > healthy; unknown when no verdict could be had, or it passes having checked too little to judge.
 */
import type { RunSummary, Series } from '../domain/run.ts';
import type { Verdict } from '../domain/verdict.ts';
import { verdictCoverage } from '../diagnose/verdict-coverage.ts';
import { renderDigestGrid, type DigestItem, type DigestStatus } from '../charts/digest-grid.ts';
import { chartProblemSentence } from '../charts/chart-error.ts';
import type { DigestState } from '../store/digest-store.ts';

export type DigestRunStatus = 'failing' | 'stalled' | 'running' | 'warning' | 'healthy' | 'unknown';
export const DIGEST_STATUS_ORDER: readonly DigestRunStatus[] = ['failing', 'stalled', 'running', 'warning', 'healthy', 'unknown'];

export interface DigestRunInput {
  run: RunSummary;
  verdict: Verdict | null;
  /** The run's thread in the digest's guild, for a link. */
  threadId?: string | null;
  /** The run's curves for the grid; absent or null draws "no curve". */
  series?: Series[] | null;
}

export interface DigestWindow {
  from: number; // ms since the Unix epoch
  to: number;
}

export interface BuildDigestInput {
  /** Runs already chosen with selectWindowRuns (one record per run name). */
  runs: DigestRunInput[];
  window: DigestWindow;
  /** The state the previous digest left, or null when there was none (then nothing is "changed"). */
  previous: DigestState | null;
  queuedJobs: number;
  /** false skips drawing the grid (tests of the text). */
  grid?: boolean;
}

export interface DigestEntry {
  runId: string;
  name: string;
  status: DigestRunStatus;
  threadId: string | null;
}

export interface DigestFinding {
  runId: string;
  runName: string;
  threadId: string | null;
  /** Verdict item id, or 'crashed' / 'stalled' for a run's own state. */
  id: string;
  status: 'fail' | 'warn';
  title: string;
}

export interface Digest {
  window: DigestWindow;
  empty: boolean;
  counts: Record<DigestRunStatus, number>;
  /** Worst first. */
  entries: DigestEntry[];
  /** Worst first: failures, then warnings; within each, in the order of `entries`, then the verdict's own order. */
  findings: DigestFinding[];
  /** null when there is no previous digest to compare with. */
  changes: { newlyFailing: DigestEntry[]; recovered: DigestEntry[] } | null;
  queuedJobs: number;
  /** What the next digest compares against. */
  state: DigestState;
  /** PNG of the grid of small multiples; null for an empty window or when not drawn. */
  grid: Uint8Array | null;
  /** The sentence shown in place of a grid that could not be drawn. */
  gridProblem?: string | null;
}

/** Entries of the previous state kept for runs that were quiet in this window, at most this many. */
const MAX_STATE_ENTRIES = 1000;

/**
 * The runs a digest covers: updated (active or finished) inside the window, or live (running, stalled) and created
 * before its end. Re-uploads share a run's name; the newest record of each name stands for the run.
 */
export function selectWindowRuns(runs: readonly RunSummary[], window: DigestWindow): RunSummary[] {
  const byName = new Map<string, RunSummary>();
  for (const r of runs) {
    const live = r.status === 'running' || r.status === 'stalled';
    const inWindow = r.updatedAt >= window.from && r.updatedAt <= window.to;
    if (r.createdAt > window.to || !(inWindow || live)) continue;
    const seen = byName.get(r.name);
    if (!seen || r.updatedAt > seen.updatedAt || (r.updatedAt === seen.updatedAt && r.createdAt > seen.createdAt)) byName.set(r.name, r);
  }
  return [...byName.values()];
}

export function digestStatusOf(run: RunSummary, verdict: Verdict | null): DigestRunStatus {
  if (verdict?.status === 'fail' || run.status === 'crashed' || run.status === 'killed') return 'failing';
  if (run.status === 'stalled') return 'stalled';
  if (run.status === 'running') return 'running';
  if (!verdict) return 'unknown';
  if (verdict.status === 'warn') return 'warning';
  // A pass that could check almost nothing is not "healthy": the run's own embed says TOO LITTLE DATA.
  return verdictCoverage(verdict).tooLittleToJudge ? 'unknown' : 'healthy';
}

export function buildDigest(input: BuildDigestInput): Digest {
  const rank = (s: DigestRunStatus) => DIGEST_STATUS_ORDER.indexOf(s);
  const rows = input.runs
    .map((r) => ({ input: r, entry: { runId: r.run.id, name: r.run.name, status: digestStatusOf(r.run, r.verdict), threadId: r.threadId ?? null } }))
    .sort((a, b) => rank(a.entry.status) - rank(b.entry.status) || b.input.run.updatedAt - a.input.run.updatedAt || a.entry.name.localeCompare(b.entry.name));
  const entries = rows.map((r) => r.entry);

  const counts = Object.fromEntries(DIGEST_STATUS_ORDER.map((s) => [s, 0])) as Record<DigestRunStatus, number>;
  for (const e of entries) counts[e.status]++;

  const findings: DigestFinding[] = [];
  for (const level of ['fail', 'warn'] as const) {
    for (const { input: r, entry } of rows) {
      const base = { runId: entry.runId, runName: entry.name, threadId: entry.threadId };
      if (level === 'fail' && (r.run.status === 'crashed' || r.run.status === 'killed')) {
        findings.push({ ...base, id: r.run.status, status: 'fail', title: `the run ${r.run.status === 'crashed' ? 'crashed' : 'was killed'}` });
      }
      if (level === 'warn' && r.run.status === 'stalled') {
        findings.push({ ...base, id: 'stalled', status: 'warn', title: `no new points since ${new Date(r.run.updatedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC` });
      }
      for (const item of r.verdict?.items ?? []) if (item.status === level) findings.push({ ...base, id: item.id, status: level, title: item.title });
    }
  }

  const state: DigestState = {};
  for (const e of entries) state[e.name] = e.status;
  let carried = 0;
  for (const [name, status] of Object.entries(input.previous ?? {})) {
    if (name in state || carried >= MAX_STATE_ENTRIES - entries.length) continue;
    state[name] = status;
    carried++;
  }

  const changes = input.previous
    ? {
        newlyFailing: entries.filter((e) => e.status === 'failing' && input.previous![e.name] !== 'failing'),
        recovered: entries.filter((e) => e.status !== 'failing' && e.status !== 'unknown' && input.previous![e.name] === 'failing'),
      }
    : null;

  const empty = entries.length === 0;
  let grid: Uint8Array | null = null;
  let gridProblem: string | null = null;
  if (!empty && input.grid !== false) {
    // A grid that cannot be drawn leaves the digest's text whole, with a sentence in its place.
    try {
      grid = renderDigestGrid(digestGridItems({ entries, findings }, input.runs), { title: DIGEST_GRID_TITLE }).png;
    } catch (e) {
      gridProblem = chartProblemSentence(e);
    }
  }

  return { window: input.window, empty, counts, entries, findings, changes, queuedJobs: input.queuedJobs, state, grid, gridProblem };
}

export const DIGEST_GRID_TITLE = 'Run health';

/** The grid's cells: the digest's runs worst first, each with its curves and its worst finding as the caption. */
export function digestGridItems(d: Pick<Digest, 'entries' | 'findings'>, runs: readonly DigestRunInput[]): DigestItem[] {
  const captionOf = new Map<string, string>();
  for (const f of d.findings) if (!captionOf.has(f.runId)) captionOf.set(f.runId, f.title);
  const seriesOf = new Map(runs.map((r) => [r.run.id, r.series ?? []]));
  return d.entries.map((entry) => ({
    run: { name: entry.name, series: seriesOf.get(entry.runId) ?? [] },
    status: GRID_STATUS[entry.status],
    ...(captionOf.has(entry.runId) ? { caption: captionOf.get(entry.runId)! } : {}),
  }));
}

const GRID_STATUS: Record<DigestRunStatus, DigestStatus> = {
  failing: 'fail',
  stalled: 'stalled',
  running: 'running',
  warning: 'warn',
  healthy: 'pass',
  unknown: 'unknown',
};
