import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, runmedicBin, type CliResult } from '../support/run-cli.ts';
import { checkedBackendOrder } from '../../src/cli/train.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { ensureBuilt } from '../support/built.ts';

// These tests start the compiled runmedic as a process: build it first if a source changed (test/support/built.ts).
beforeAll(() => ensureBuilt(), 600_000);

type Result = CliResult;

let dir: string;
let db: string;

const cli = (args: string[], env: Record<string, string> = {}): Promise<Result> =>
  runCli(args, { cwd: dir, env: { RUNMEDIC_DB: db, RUNMEDIC_TF_BACKEND: '', ...env }, timeoutMs: 150_000 });

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-train-'));
  db = path.join(dir, 'train.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkedBackendOrder', () => {
  it('passes known lists through, leaves an unset variable to the job, and names the allowed values otherwise', () => {
    expect(checkedBackendOrder('wasm,cpu', 'gpu', 'train')).toBe('wasm,cpu');
    expect(checkedBackendOrder(undefined, undefined, 'train')).toBeUndefined();
    expect(checkedBackendOrder(undefined, ' ', 'train')).toBeUndefined();
    // A valid variable is read by the job's child itself: nothing to pass on.
    expect(checkedBackendOrder(undefined, 'cpu', 'train')).toBeUndefined();
    expect(() => checkedBackendOrder('gpu', undefined, 'train')).toThrow(new UsageError('--backend: expected a comma-separated list of tensorflow, wasm, cpu, got "gpu"', 'train'));
    expect(() => checkedBackendOrder('', undefined, 'train')).toThrow(/--backend: expected/);
    expect(() => checkedBackendOrder(',', undefined, 'train')).toThrow(/--backend: expected/);
    expect(() => checkedBackendOrder(undefined, 'wasm,gpu', 'demo')).toThrow(/^RUNMEDIC_TF_BACKEND: expected a comma-separated list of tensorflow, wasm, cpu, got "wasm,gpu"$/);
  });
});

// Real processes (tsx start-up, a TensorFlow.js child): generous timeouts for a busy machine.
describe('runmedic train exit codes (as a process)', { timeout: 180_000 }, () => {
  it('an unknown --backend or RUNMEDIC_TF_BACKEND is bad input (2), refused before any job starts', async () => {
    const [opt, env, demo] = await Promise.all([
      cli(['train', '--preset', 'iris-mlp', '--backend', 'gpu']),
      cli(['train', '--preset', 'iris-mlp'], { RUNMEDIC_TF_BACKEND: 'gpu' }),
      cli(['demo', '--backend', 'gpu']),
    ]);
    expect(opt.code).toBe(2);
    expect(opt.stderr.split('\n')[0]).toBe('runmedic: --backend: expected a comma-separated list of tensorflow, wasm, cpu, got "gpu"');
    expect(opt.stderr).not.toMatch(/^backend: /m); // no job: its first event is the backend it loaded
    expect(env.code).toBe(2);
    expect(env.stderr.split('\n')[0]).toBe('runmedic: RUNMEDIC_TF_BACKEND: expected a comma-separated list of tensorflow, wasm, cpu, got "gpu"');
    expect(demo.code).toBe(2);
    expect(demo.stdout).toBe(''); // refused before the examples are ingested
  });

  it('options that would change nothing on the preset are bad input (2) naming where they apply', async () => {
    const [augment, pooling] = await Promise.all([cli(['train', '--preset', 'iris-mlp', '--augment']), cli(['train', '--preset', 'blobs', '--pooling', 'avg'])]);
    expect(augment.code).toBe(2);
    expect(augment.stderr.split('\n')[0]).toBe('runmedic: --augment applies to image presets (seed-cnn, mnist-mlp), not iris-mlp');
    expect(pooling.code).toBe(2);
    expect(pooling.stderr.split('\n')[0]).toBe('runmedic: --pooling applies to the convolutional preset (seed-cnn), not blobs');
  });

  it('without the native backend the backend line says how to build it', async () => {
    const r = await cli(['train', '--preset', 'iris-mlp', '--epochs', '1', '--limit', '30'], { RUNMEDIC_TF_BACKEND: 'wasm' });
    expect(r.stderr).toMatch(/^backend: wasm$/m); // nothing was skipped: wasm was asked for
    const { backendText } = await import('../../src/cli/terminal-job.ts');
    const missing = backendText({ name: 'wasm', attempts: [{ name: 'tensorflow', ok: false, error: "Cannot find module '@tensorflow/tfjs-node'" }, { name: 'wasm', ok: true }] });
    expect(missing).toBe("wasm (skipped tensorflow: Cannot find module '@tensorflow/tfjs-node'; `npm run setup:tfjs-node` builds the native backend offline in about a minute)");
    expect(backendText({ name: 'tensorflow', attempts: [{ name: 'tensorflow', ok: true }] })).toBe('tensorflow (native, @tensorflow/tfjs-node)');
  });

  it('the progress clock starts with training, not with loading TensorFlow.js (a tiny job shows well under the process time)', async () => {
    const started = Date.now();
    const r = await cli(['train', '--preset', 'iris-mlp', '--epochs', '1', '--limit', '30']);
    const wall = (Date.now() - started) / 1000;
    // Non-TTY: the finished epoch's line only. Starting the process and loading the backend take most of a tiny job's
    // time (seconds), so a clock counted from the start would show about the whole of it; one epoch of 24 examples
    // shows 0:00 on a quiet machine and a second or two on a busy one (a fixed 0:00 failed a CI run at load 10).
    const clock = /epoch 1\/1 .* (\d+):(\d\d) {2}\w+/.exec(r.stderr);
    expect(clock, r.stderr).not.toBeNull();
    const shown = Number(clock![1]) * 60 + Number(clock![2]);
    expect(shown).toBeLessThanOrEqual(Math.max(1, wall / 2));
  });

  it('--help documents the codes; a failing verdict exits 1', async () => {
    const [help, failing] = await Promise.all([cli(['train', '--help']), cli(['train', '--preset', 'iris-mlp', '--limit', '2', '--epochs', '1'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: runmedic train --preset NAME \| --model M\.json --data FILE \[--label COLUMN\] \[--lr X\]/);
    expect(help.stdout).toContain('exit codes: 0 nothing fails, 1 the verdict has a failing item, 2 bad input (option, backend name, a model or data file at fault), 3 the job itself failed');
    expect(failing.stderr).toMatch(/^trained 1 epoch on \w+/m);
    expect(failing.stdout).toMatch(/^❌ /);
    expect(failing.code).toBe(1);
  });

  it('a job that does not finish (here: Ctrl-C during training) exits 3, not 1', async () => {
    const child = spawn(process.execPath, [runmedicBin(), 'train', '--preset', 'iris-mlp', '--epochs', '1000'], {
      cwd: dir,
      env: { ...process.env, RUNMEDIC_DB: db, LOG_LEVEL: '', RUNMEDIC_TF_BACKEND: '' },
    });
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        // The data line comes once the child has loaded its backend and dataset: the job is under way.
        if (/^data: /m.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(stderr).toMatch(/^job cancelled \(run r_\w+ kept as killed\)$/m);
    expect(code).toBe(3);
  });
});
