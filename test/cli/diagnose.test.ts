/** `runmedic diagnose` as a process: the verdict contract on stdout and the CI-gate exit codes. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, beforeAll } from 'vitest';
import { REPO_ROOT } from '../support/real-logs.ts';
import { main } from '../../src/cli/main.ts';
import { builtBin, ensureBuilt } from '../support/built.ts';

// These tests start the compiled runmedic as a process: build it first if a source changed (test/support/built.ts).
beforeAll(() => ensureBuilt(), 600_000);

/** In process, for the cases that need no separate process. */
async function inProcess(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main([...args, '--db', path.join(dir, 'test.db')], { LOG_LEVEL: 'silent' }, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-diagnose-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keras(name: string, rows: Array<[number, number]>): string {
  const file = path.join(dir, name);
  writeFileSync(file, `epoch,loss,val_loss\n${rows.map(([l, v], e) => `${e},${l},${v}`).join('\n')}\n`);
  return file;
}
// 40 epochs with the turn at 10: stopping after it saves the share early_stopping_missing's fitted bar asks, so the
// missing early stopping is part of the overfitting story (with 30 it was too small a saving to be a finding at all).
const epochs = Array.from({ length: 40 }, (_, e) => e);
const overfitting = keras('overfit.csv', epochs.map((e) => [0.05 + Math.exp(-e / 6), e <= 10 ? 0.3 + 0.8 * Math.exp(-e / 3) : 0.3 + 0.8 * Math.exp(-10 / 3) + 0.02 * (e - 10)]));
const healthy = keras('healthy.csv', epochs.map((e) => [0.2 + Math.exp(-e / 3), 0.25 + Math.exp(-e / 3)]));

function runmedic(...args: string[]) {
  const r = spawnSync(process.execPath, [builtBin(), ...args, '--db', path.join(dir, 'test.db')], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('runmedic diagnose', { timeout: 120_000 }, () => {
  it('reads a Lightning log whose losses are avg_train_loss / avg_val_loss and accuracy a torchmetrics class (as a process)', () => {
    const file = path.join(dir, 'metrics.csv');
    const rows = epochs.map((e) => {
      const t = 0.05 + Math.exp(-e / 6);
      const v = e <= 10 ? 0.3 + 0.8 * Math.exp(-e / 3) : 0.3 + 0.8 * Math.exp(-10 / 3) + 0.02 * (e - 10);
      return `${e},${(e + 1) * 50 - 1},${t.toFixed(4)},${v.toFixed(4)},${(0.95 - v / 4).toFixed(4)}`;
    });
    writeFileSync(file, `epoch,step,avg_train_loss,avg_val_loss,val_MulticlassAccuracy\n${rows.join('\n')}\n`);
    const r = runmedic('diagnose', file, '--json');
    expect(r.stderr).toBe('');
    const v = JSON.parse(r.stdout);
    const overfitting = v.items.find((i: { id: string }) => i.id === 'overfitting');
    expect(overfitting.status).toBe('fail');
    expect(overfitting.title).toMatch(/^avg_val_loss bottomed at .* while avg_train_loss fell/);
  });

  it('says an accuracy peaked (not bottomed) when it is the only validation curve that turns', () => {
    const file = path.join(dir, 'acc-only.csv');
    const rows = epochs.map((e) => `${e},${(0.05 + Math.exp(-e / 6)).toFixed(4)},${(e <= 10 ? 0.6 + 0.03 * e : 0.9 - 0.01 * (e - 10)).toFixed(4)}`);
    writeFileSync(file, `epoch,loss,val_accuracy\n${rows.join('\n')}\n`);
    const v = JSON.parse(runmedic('diagnose', file, '--json').stdout);
    const overfitting = v.items.find((i: { id: string }) => i.id === 'overfitting');
    expect(overfitting.status).not.toBe('pass');
    expect(overfitting.title).toMatch(/^val_accuracy peaked at 0\.9 at epoch 10 and/);
  });

  it('--json prints the verdict contract and exits 1 when something fails (as a process)', () => {
    const r = runmedic('diagnose', overfitting, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout);
    expect(v.run).toMatchObject({ id: 'overfit.csv', format: 'keras_csv', points: 80, epochs: 40 });
    expect(v.status).toBe('fail');
    expect(v.items).toHaveLength(32);
    for (const i of v.items) {
      // explainedBy only on an item another finding explains (one story).
      expect(Object.keys(i).filter((k) => k !== 'explainedBy').sort()).toEqual(['area', 'evidence', 'fix', 'id', 'marks', 'status', 'title']);
      expect(['fail', 'warn', 'pass', 'unknown']).toContain(i.status);
    }
    const o = v.items.find((i: { id: string }) => i.id === 'overfitting');
    expect(o.status).toBe('fail');
    expect(o.evidence.onsetEpoch).toBe(10);
    expect(o.marks.map((m: { kind: string }) => m.kind).sort()).toEqual(['band', 'point']);
    // The missing early stopping is part of the overfitting story, not a second finding with its own numbers.
    expect(v.items.find((i: { id: string }) => i.id === 'early_stopping_missing').explainedBy).toBe('overfitting');
  });

  it('prints the human checklist, failures and warnings first, and exits 0 when nothing fails; --classes feeds the chance checks', async () => {
    const r = await inProcess('diagnose', healthy, '--classes', '10');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^(✅|⚠️) healthy/);
    const icons = lines.slice(1).map((l) => ['❌', '⚠️', '✅', '❔'].findIndex((i) => l.startsWith(i))).filter((i) => i >= 0);
    expect(icons).toEqual([...icons].sort((a, b) => a - b));
    // Passes are one line of names; --all lists each with its finding.
    expect(lines.slice(1).filter((l) => l.startsWith('✅'))).toHaveLength(1);
    expect(r.stdout).toMatch(/^✅ \d+ passed, no sign of: [A-Z]/m);
    const all = await inProcess('diagnose', healthy, '--classes', '10', '--all');
    expect(all.stdout).toMatch(/✅ Stuck at chance: .*10 classes/);
  });

  it('names each problem and states it once: the epoch in the sentence is the one in the JSON evidence, the fix and the chart mark (as a process)', () => {
    const text = runmedic('diagnose', overfitting);
    expect(text.code).toBe(1);
    const line = text.stdout.split('\n').find((l) => l.startsWith('❌ Overfitting'))!;
    expect(line).toMatch(/^❌ Overfitting: val_loss bottomed at [\d.]+ at epoch \d+ /);
    expect(text.stdout).toContain('     ↳ also explains what looks like: No early stopping');
    // No evidence dump (`key=value, …` or `key value · …`): the JSON carries it.
    expect(text.stdout).not.toMatch(/evidence:|\w+=[\d.]+,|· val best/);
    const epoch = Number(/at epoch (\d+)/.exec(line)![1]);
    const o = JSON.parse(runmedic('diagnose', overfitting, '--json').stdout).items.find((i: { id: string }) => i.id === 'overfitting');
    expect(o.evidence).toMatchObject({ onsetEpoch: epoch, valBestAt: epoch });
    expect(o.fix).toContain(`epoch-${epoch} model`);
    expect(o.marks.find((m: { kind: string }) => m.kind === 'point').label).toBe(`best val_loss (epoch ${epoch})`);
  });

  it('says a loss column holds text, naming the column, the cell and its line (as a process)', () => {
    const bad = path.join(dir, 'text-loss.csv');
    writeFileSync(bad, 'epoch,loss,val_loss\n0,abc,def\n1,ghi,jkl\n');
    const r = runmedic('diagnose', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`runmedic: ${bad}:2: column 'loss' holds text ('abc'), not numbers\n`);
  });

  it('diagnoses every run of a directory, printing an array of verdicts', async () => {
    const sub = path.join(dir, 'logs');
    mkdirSync(sub);
    copyFileSync(overfitting, path.join(sub, 'a.csv'));
    copyFileSync(healthy, path.join(sub, 'b.csv'));
    const r = await inProcess('diagnose', sub, '--json');
    expect(r.code).toBe(1);
    const verdicts = JSON.parse(r.stdout);
    expect(verdicts).toHaveLength(2);
    expect(verdicts.map((v: { status: string }) => v.status)).toContain('fail');
  });

  it('--json carries the reader\'s notes on the run: the templates and names the console reader guessed', async () => {
    const pasted = path.join(dir, 'paste.txt');
    writeFileSync(pasted, Array.from({ length: 6 }, (_, e) => `epoch [${e + 1}]: training loss: ${(1 / (e + 1)).toFixed(3)} - acc: 0.5 - val_loss: ${(1.2 / (e + 1)).toFixed(3)}`).join('\n') + '\n');
    const r = await inProcess('diagnose', pasted, '--json');
    const v = JSON.parse(r.stdout);
    expect(v.run.format).toBe('console_text');
    expect(v.run.notes.join('\n')).toMatch(/template/i);
    // A file read by an exact reader has notes too (possibly none): always an array.
    expect(Array.isArray(JSON.parse((await inProcess('diagnose', healthy, '--json')).stdout).run.notes)).toBe(true);
  });

  it('exits 2 with a specific message on a missing file (as a process)', () => {
    const missing = runmedic('diagnose', path.join(dir, 'nope.csv'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.csv');
  });

  it('exits 2 on a file that is not a log and on a bad --classes', async () => {
    const garbage = path.join(dir, 'notes.txt');
    writeFileSync(garbage, 'just some notes, not a training log\n');
    const g = await inProcess('diagnose', garbage);
    expect(g.code).toBe(2);
    expect(g.stderr).toContain('notes.txt');
    const classes = await inProcess('diagnose', healthy, '--classes', 'one');
    expect(classes.code).toBe(2);
    expect(classes.stderr).toContain('--classes');
  });
});
