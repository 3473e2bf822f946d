import { describe, expect, it } from 'vitest';
import { buildDigest, selectWindowRuns } from '../../src/app/build-digest.ts';
import { digestMessage, DIGEST_FINDINGS_FILE, DIGEST_GRID_FILE } from '../../src/bot/presenters/digest-message.ts';
import { EMBED_LIMITS } from '../../src/bot/presenters/verdict-embed.ts';
import { pngSize } from '../charts/png.ts';
import { DAY, fixtureRuns, HOUR, item, NOW, summary, verdictOf } from './digest-fixtures.ts';

const window = { from: NOW - DAY, to: NOW };

function inWindow() {
  const all = fixtureRuns();
  const chosen = new Set(selectWindowRuns(all.map((r) => r.run), window).map((r) => r.id));
  return all.filter((r) => chosen.has(r.run.id));
}

describe('selectWindowRuns', () => {
  it('takes runs updated in the window and live runs, and leaves out runs finished before it', () => {
    const names = selectWindowRuns(fixtureRuns().map((r) => r.run), window).map((r) => r.name).sort();
    expect(names).toEqual(['bert-crashed', 'cnn-noisy', 'gpt-running', 'mlp-ok', 'resnet-diverged', 'vit-stalled']);
  });

  it('keeps the newest record of a run uploaded twice, and nothing created after the window', () => {
    const first = summary('same', { id: 'r_first', updatedAgoH: 10 });
    const second = summary('same', { id: 'r_second', updatedAgoH: 2 });
    const future = { ...summary('later'), createdAt: NOW + HOUR, updatedAt: NOW + HOUR };
    expect(selectWindowRuns([second, first, future], window).map((r) => r.id)).toEqual(['r_second']);
  });
});

describe('buildDigest', () => {
  it('counts runs by status and puts the worst first', () => {
    const d = buildDigest({ runs: inWindow(), window, previous: null, queuedJobs: 2, grid: false });
    expect(d.empty).toBe(false);
    expect(d.counts).toEqual({ failing: 2, stalled: 1, running: 1, warning: 1, healthy: 1, unknown: 0 });
    expect(d.entries.map((e) => `${e.status}:${e.name}`)).toEqual([
      'failing:resnet-diverged',
      'failing:bert-crashed',
      'stalled:vit-stalled',
      'running:gpt-running',
      'warning:cnn-noisy',
      'healthy:mlp-ok',
    ]);
    expect(d.queuedJobs).toBe(2);
    expect(d.changes).toBeNull();
  });

  it('does not call a run healthy when its verdict passed having checked too little (its embed says TOO LITTLE DATA)', () => {
    const run = summary('two-points');
    const curves = ['nan_loss', 'overfitting', 'plateau', 'divergence'].map((id) => ({ ...item(id, 'unknown', `cannot judge ${id}`), area: 'convergence' as const }));
    const d = buildDigest({ runs: [{ run, verdict: verdictOf(run, [...curves, item('no_validation', 'pass', 'validation is logged')]) }], window, previous: null, queuedJobs: 0, grid: false });
    expect(d.entries.map((e) => e.status)).toEqual(['unknown']);
    expect(d.counts.healthy).toBe(0);
  });

  it('lists failures before warnings, one per finding, with the run thread when there is one', () => {
    const d = buildDigest({ runs: inWindow(), window, previous: null, queuedJobs: 0, grid: false });
    expect(d.findings.map((f) => `${f.status} ${f.runName} ${f.id}`)).toEqual([
      'fail resnet-diverged divergence',
      'fail bert-crashed crashed',
      'warn resnet-diverged plateau',
      'warn vit-stalled stalled',
      'warn gpt-running overfitting',
      'warn cnn-noisy noisy_validation',
    ]);
    expect(d.findings[0]).toMatchObject({ threadId: '9002', title: 'Loss diverges after epoch 6' });
    expect(d.findings[1]!.threadId).toBeNull();
  });

  it('says what changed since the previous digest: newly failing and recovered', () => {
    const previous = { 'resnet-diverged': 'healthy', 'bert-crashed': 'failing', 'cnn-noisy': 'failing', 'mlp-ok': 'healthy', 'gone-run': 'failing' };
    const d = buildDigest({ runs: inWindow(), window, previous, queuedJobs: 0, grid: false });
    expect(d.changes!.newlyFailing.map((e) => e.name)).toEqual(['resnet-diverged']);
    expect(d.changes!.recovered.map((e) => e.name)).toEqual(['cnn-noisy']);
    // A run quiet in this window keeps its last known status for the next comparison.
    expect(d.state).toMatchObject({ 'resnet-diverged': 'failing', 'cnn-noisy': 'warning', 'gone-run': 'failing' });
  });

  it('draws the grid with one cell per run', () => {
    const d = buildDigest({ runs: inWindow(), window, previous: null, queuedJobs: 0 });
    expect(pngSize(d.grid!).width).toBe(800);
  });

  it('an empty window is one line, with no image', () => {
    const d = buildDigest({ runs: [], window, previous: { a: 'failing' }, queuedJobs: 1 });
    expect(d.empty).toBe(true);
    expect(d.grid).toBeNull();
    const m = digestMessage(d);
    expect(m.embeds).toEqual([]);
    expect(m.files).toEqual([]);
    expect(m.content!.split('\n')).toHaveLength(1);
    expect(m.content).toContain('no runs were active or finished');
    expect(m.content).toContain('1 training job waiting');
  });
});

describe('digestMessage', () => {
  it('a summary embed with the grid and an embed of findings linking threads', () => {
    const d = buildDigest({ runs: inWindow(), window, previous: { 'resnet-diverged': 'healthy' }, queuedJobs: 3 });
    const m = digestMessage(d, { late: { slotAt: NOW - 2 * HOUR, timezone: 'Europe/Berlin' }, scheduleId: 'd_1' });
    expect(m.embeds).toHaveLength(2);
    const [summaryEmbed, findings] = m.embeds;
    expect(summaryEmbed!.title).toContain('(late)');
    expect(summaryEmbed!.description).toContain('❌ 2 failing · ⏸️ 1 stalled · 🔄 1 running · ⚠️ 1 warning · ✅ 1 healthy');
    expect(summaryEmbed!.description).toContain('Newly failing: **resnet-diverged** (<#9002>), **bert-crashed**');
    expect(summaryEmbed!.title).toContain('last 24h');
    expect(summaryEmbed!.description).toContain('3 training jobs waiting');
    expect(summaryEmbed!.footer!.text).toContain('posted late');
    expect(summaryEmbed!.image).toEqual({ url: `attachment://${DIGEST_GRID_FILE}` });
    expect(m.files.map((f) => f.name)).toEqual([DIGEST_GRID_FILE]);
    const lines = findings!.description!.split('\n');
    expect(lines[0]).toBe('❌ **resnet-diverged** · Divergence: Loss diverges after epoch 6 · <#9002>');
    expect(lines[1]).toBe('❌ **bert-crashed** · the run crashed · `r_bertcrashe`');
  });

  it('stays within Discord limits when there are hundreds of findings, attaching the full list', () => {
    const runs = Array.from({ length: 120 }, (_, k) => {
      const r = summary(`run-${String(k).padStart(3, '0')}-${'x'.repeat(40)}`, { id: `r_${k}`, updatedAgoH: 1 + k / 100 });
      return { run: r, verdict: verdictOf(r, [item('divergence', 'fail', `Loss diverges after epoch ${k}. ${'More words. '.repeat(20)}`), item('plateau', 'warn', 'Loss plateaus')]), series: [] };
    });
    const d = buildDigest({ runs, window, previous: null, queuedJobs: 0, grid: false });
    const m = digestMessage(d);
    const total = m.embeds.reduce((n, e) => n + (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0), 0);
    expect(total).toBeLessThanOrEqual(EMBED_LIMITS.total);
    for (const e of m.embeds) expect(e.description!.length).toBeLessThanOrEqual(EMBED_LIMITS.description);
    const last = m.embeds[1]!.description!.split('\n').at(-1)!;
    expect(last).toMatch(/^… and \d+ more findings: the full list is in digest-findings.txt\.$/);
    const file = m.files.find((f) => f.name === DIGEST_FINDINGS_FILE)!;
    expect(file.data.toString('utf8').trim().split('\n')).toHaveLength(240);
  });

  it('escapes markdown in run names and finding titles so a name cannot restyle the message', () => {
    const r = summary('my_run_*v2*', { id: 'r_md' });
    const d = buildDigest({ runs: [{ run: r, verdict: verdictOf(r, [item('divergence', 'fail', 'Loss ~~diverges~~ at `epoch 3`')]), series: [] }], window, previous: null, queuedJobs: 0, grid: false });
    const line = digestMessage(d).embeds[1]!.description!;
    expect(line).toBe('❌ **my\\_run\\_\\*v2\\*** · Divergence: Loss \\~\\~diverges\\~\\~ at \\`epoch 3\\` · `r_md`');
  });
});
