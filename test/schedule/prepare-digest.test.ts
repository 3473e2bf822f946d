import { describe, expect, it } from 'vitest';
import { prepareDigest, type DigestSources } from '../../src/app/prepare-digest.ts';
import type { Run, RunSummary } from '../../src/domain/run.ts';
import type { Verdict } from '../../src/domain/verdict.ts';
import type { RunStore } from '../../src/store/run-store.ts';
import { DAY, item, lossCurve, NOW, summary, verdictOf } from './digest-fixtures.ts';

function sources(runs: RunSummary[], stored: Map<string, Verdict>) {
  const loaded: string[] = [];
  const store = {
    async listRuns(o: { status?: string; limit?: number } = {}) {
      return runs.filter((r) => !o.status || r.status === o.status).slice(0, o.limit ?? 50);
    },
    async getRun(id: string): Promise<Run | null> {
      loaded.push(id);
      const r = runs.find((x) => x.id === id);
      return r ? { ...r, series: lossCurve(), notes: [], meta: {} } : null;
    },
  } as unknown as RunStore;
  const src: DigestSources = {
    runs: store,
    storedVerdict: async (id) => stored.get(id) ?? null,
    computeVerdict: async (run) => verdictOf(run, [item('nan_loss', 'fail', 'Loss is NaN')]),
    threadOf: async (_g, run) => (run.name === 'run-05' ? '777' : null),
    queuedJobs: async () => 4,
  };
  return { src, loaded };
}

describe('prepareDigest', () => {
  it('uses stored verdicts, computes missing ones, and loads curves only for the runs the grid draws', async () => {
    const runs = Array.from({ length: 30 }, (_, k) => summary(`run-${String(k).padStart(2, '0')}`, { id: `r_${k}`, updatedAgoH: 1 + k / 10 }));
    const stored = new Map(runs.slice(1).map((r) => [r.id, verdictOf(r, [])]));
    const { src, loaded } = sources(runs, stored);
    const d = await prepareDigest(src, { guildId: 'g', windowMs: DAY, now: NOW, previous: null });
    expect(d.counts).toMatchObject({ failing: 1, healthy: 29 });
    expect(d.entries[0]).toMatchObject({ name: 'run-00', status: 'failing' });
    expect(d.findings[0]).toMatchObject({ id: 'nan_loss', runName: 'run-00' });
    expect(d.entries.find((e) => e.name === 'run-05')!.threadId).toBe('777');
    expect(d.queuedJobs).toBe(4);
    expect(d.grid).not.toBeNull();
    // run-00 once for its verdict; 23 more for the grid's other cells; none of the 6 runs not drawn.
    expect(new Set(loaded).size).toBe(24);
    expect(loaded).toHaveLength(24);
  });

  it('an empty window loads nothing and draws nothing', async () => {
    const { src, loaded } = sources([summary('old', { updatedAgoH: 50 })], new Map());
    const d = await prepareDigest(src, { guildId: 'g', windowMs: DAY, now: NOW, previous: null });
    expect(d.empty).toBe(true);
    expect(loaded).toEqual([]);
  });
});
