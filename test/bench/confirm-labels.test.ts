/**
 * The corpus' label checks (bench/corpus/confirm.py, Python, independent of the engine) on hand-made records: each
 * label is confirmed from the record's own history, and one finding explains another as the README's table says.
 * Runs python3 (present wherever the project builds); skipped with a notice when it is not.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/real-logs.ts';
import { EXPLAINS, PRECEDENCE } from '../../src/diagnose/story.ts';

const python = spawnSync('python3', ['--version']).status === 0;
if (!python) console.warn('[runmedic tests] python3 not found: the corpus label-check tests are skipped');

interface S { name: string; split: 'train' | 'val'; cadence: 'epoch' | 'step'; values: Array<number | string>; epochs?: number[]; steps?: number[] }
const epochSeries = (name: string, split: 'train' | 'val', f: (e: number) => number, n: number): S => ({ name, split, cadence: 'epoch', values: Array.from({ length: n }, (_, e) => f(e)), epochs: Array.from({ length: n }, (_, e) => e), steps: Array.from({ length: n }, (_, e) => e) });

const RECORDS: Record<string, { series: S[]; classes?: number; family?: string; majority?: number; val_size?: number }> = {
  healthy: { series: [epochSeries('loss', 'train', (e) => 2.3 * Math.exp(-e / 4) + 0.05, 40), epochSeries('val_loss', 'val', (e) => 2.2 * Math.exp(-e / 4) + 0.12 + 0.002 * Math.sin(e), 40)] },
  overfit: { series: [epochSeries('loss', 'train', (e) => 2 * Math.exp(-e / 6) + 0.01, 60), epochSeries('val_loss', 'val', (e) => (e <= 12 ? 2 * Math.exp(-e / 6) + 0.3 : 2 * Math.exp(-2) + 0.3 + 0.02 * (e - 12)), 60)] },
  nan: { series: [epochSeries('loss', 'train', (e) => (e < 3 ? 1 - 0.1 * e : e < 10 ? 0.7 : 'nan') as number, 20), epochSeries('val_loss', 'val', (e) => (e < 3 ? 1.1 : e < 10 ? 1.0 + 0.1 * e : 'nan') as number, 20)] },
  // Dead ReLUs on a binary task: loss at ln 2, always predicting the minority class (47 % of a 300-example validation
  // set, where the majority is 53 %): a constant predictor, at chance, though 0.054 from the majority's share.
  dead: { classes: 2, family: 'cnn', majority: 0.527, val_size: 300, series: [epochSeries('loss', 'train', () => 0.6932, 20), epochSeries('val_loss', 'val', () => 0.6935, 20), { ...epochSeries('val_accuracy', 'val', () => 0.473, 20), name: 'val_accuracy' }] },
  // A linear model on a binary task that is not linearly separable: cross-entropy flat at 0.64, above 0.9 × ln 2, with
  // no healthy run of its family to compare with. Not at chance (stuck_at_chance wants ±5 %), but it learnt nothing.
  linear: { classes: 2, family: 'linear', series: [epochSeries('loss', 'train', (e) => 0.64 + 0.06 * Math.exp(-e), 30), epochSeries('val_loss', 'val', () => 0.65, 30)] },
  // Too few epochs: a fast first fall, then val_loss still falls steadily, a sixth of its whole fall over the last quarter.
  short: { series: [epochSeries('loss', 'train', (e) => 0.45 + 0.5 * Math.exp(-e) - 0.02 * e, 12), epochSeries('val_loss', 'val', (e) => 0.5 + 0.5 * Math.exp(-e) - 0.02 * e, 12)] },
  // Fell from 2.3 to 0.01 and creeps on by thousandths: a large share of the progress on a log scale, flat on the plot.
  creep: { series: [epochSeries('loss', 'train', (e) => 2.3 * Math.exp(-e / 2.5) + 0.1 * Math.exp(-e / 12), 40), epochSeries('val_loss', 'val', (e) => 1.1 * (2.3 * Math.exp(-e / 2.5) + 0.1 * Math.exp(-e / 12)), 40)] },
};

const INTENDED: Record<string, string> = { healthy: 'healthy', overfit: 'overfitting', nan: 'nan_loss', linear: 'underfitting', dead: 'stuck_at_chance', short: 'not_converged', creep: 'not_converged' };

const dir = python ? mkdtempSync(path.join(os.tmpdir(), 'runmedic-confirm-')) : '';
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!python)('corpus label checks (confirm.py)', () => {
  it('confirms what each record shows, a NaN run is nan_loss alone, and a classifier near the chance loss is not healthy without a reference, and a tail flat on the plot is converged', () => {
    for (const [id, rec] of Object.entries(RECORDS)) {
      mkdirSync(path.join(dir, 'runs', id), { recursive: true });
      writeFileSync(path.join(dir, 'runs', id, 'record.json'), JSON.stringify({ ...rec, task: 'classification', classes: rec.classes ?? 10, config: { dataset: 'd', family: rec.family ?? 'mlp', intended: INTENDED[id] } }));
    }
    const manifest = path.join(dir, 'manifest.tsv');
    const r = spawnSync('python3', [path.join(REPO_ROOT, 'bench', 'corpus', 'confirm.py'), '--out', dir, '--manifest', manifest], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(manifest, 'utf8').trim().split('\n').map((l) => l.split('\t'));
    const col = rows[0]!.indexOf('labels');
    const labels = Object.fromEntries(rows.slice(1).map((c) => [c[0], c[col]]));
    expect(labels).toEqual({ healthy: 'healthy', nan: 'nan_loss', overfit: 'overfitting', linear: 'underfitting', dead: 'stuck_at_chance', short: 'not_converged', creep: 'healthy' });
    expect(r.stdout).toMatch(/overfitting\s+1 runs,\s+1 confirmed/);
  });

  it('the engine tells one story by the same table the corpus labels are confirmed with', () => {
    const r = spawnSync('python3', ['-c', `import sys, json; sys.path.insert(0, ${JSON.stringify(path.join(REPO_ROOT, 'bench', 'corpus'))}); import confirm as C; print(json.dumps({'precedence': C.PRECEDENCE, 'subsumes': {k: sorted(v) for k, v in C.SUBSUMES.items()}}))`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const py = JSON.parse(r.stdout) as { precedence: string[]; subsumes: Record<string, string[]> };
    expect([...PRECEDENCE]).toEqual(py.precedence);
    expect(Object.fromEntries(Object.entries(EXPLAINS).map(([k, v]) => [k, [...v].sort()]))).toEqual(py.subsumes);
  });
});
