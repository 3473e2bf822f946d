/** A fixture set of runs with hand-written verdicts for digest tests. Times are ms since the Unix epoch. */
import type { RunStatus, RunSummary, Series } from '../../src/domain/run.ts';
import type { ItemStatus, Verdict, VerdictItem } from '../../src/domain/verdict.ts';
import type { DigestRunInput } from '../../src/app/build-digest.ts';
import { makeSeries } from '../support/synthetic-runs.ts';

export const NOW = Date.parse('2026-11-30T08:00:00Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function summary(name: string, o: { status?: RunStatus; updatedAgoH?: number; createdAgoH?: number; id?: string } = {}): RunSummary {
  const updatedAt = NOW - (o.updatedAgoH ?? 1) * HOUR;
  return {
    id: o.id ?? `r_${name.replace(/[^a-z0-9]/gi, '').slice(0, 10)}`,
    name,
    source: { format: 'keras_history', fileName: `${name}.json`, contentHash: `h:${name}:${o.id ?? ''}` },
    createdAt: NOW - (o.createdAgoH ?? Math.max(2, (o.updatedAgoH ?? 1) + 1)) * HOUR,
    updatedAt,
    status: o.status ?? 'finished',
    points: 20,
    epochs: 10,
  };
}

export function item(id: string, status: ItemStatus, title: string): VerdictItem {
  return { id, area: 'training', status, title, evidence: {}, fix: 'fix it', marks: [] };
}

export function verdictOf(run: RunSummary, items: VerdictItem[]): Verdict {
  const status = items.some((i) => i.status === 'fail') ? 'fail' : items.some((i) => i.status === 'warn') ? 'warn' : 'pass';
  return { run: { id: run.id, name: run.name, format: run.source.format, points: run.points, epochs: run.epochs }, status, items };
}

export function lossCurve(n = 10, up = false): Series[] {
  const v = Array.from({ length: n }, (_, e) => (up && e > n / 2 ? 0.5 + 0.1 * (e - n / 2) : 2 * Math.exp(-e / 3) + 0.3));
  const steps = v.map((_, e) => e);
  return [makeSeries('loss', 'loss', 'train', 'epoch', steps, steps, v), makeSeries('val_loss', 'loss', 'val', 'epoch', steps, steps, v.map((x) => x * 1.1))];
}

/**
 * Seven runs: two failing (one crashed), a stalled one, a running one, a warning, a healthy one, and one finished
 * two days ago (outside a 24 h window).
 */
export function fixtureRuns(): DigestRunInput[] {
  const diverged = summary('resnet-diverged', { updatedAgoH: 2 });
  const crashed = summary('bert-crashed', { status: 'crashed', updatedAgoH: 5 });
  const stalled = summary('vit-stalled', { status: 'stalled', updatedAgoH: 30, createdAgoH: 40 });
  const running = summary('gpt-running', { status: 'running', updatedAgoH: 0.1 });
  const warned = summary('cnn-noisy', { updatedAgoH: 3 });
  const healthy = summary('mlp-ok', { updatedAgoH: 4 });
  const old = summary('old-run', { updatedAgoH: 48 });
  return [
    { run: healthy, verdict: verdictOf(healthy, [item('overfitting', 'pass', 'no overfitting')]), series: lossCurve() },
    { run: warned, verdict: verdictOf(warned, [item('noisy_validation', 'warn', 'Validation loss is noisy')]), series: lossCurve(), threadId: '9001' },
    {
      run: diverged,
      verdict: verdictOf(diverged, [item('divergence', 'fail', 'Loss diverges after epoch 6'), item('plateau', 'warn', 'Loss plateaus for 3 epochs')]),
      series: lossCurve(10, true),
      threadId: '9002',
    },
    { run: crashed, verdict: verdictOf(crashed, []), series: lossCurve(4) },
    { run: stalled, verdict: verdictOf(stalled, []), series: lossCurve() },
    { run: running, verdict: verdictOf(running, [item('overfitting', 'warn', 'Validation loss starts rising')]), series: [] },
    { run: old, verdict: verdictOf(old, [item('nan_loss', 'fail', 'Loss is NaN')]), series: lossCurve() },
  ];
}
