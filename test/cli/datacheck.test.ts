/** `runmedic datacheck` as a process: the checklist of a CSV and of an .npz of digits with flipped labels, the contact sheet, exit codes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, type CliResult } from '../support/run-cli.ts';
import { ensureBuilt } from '../support/built.ts';
import { npyBytes, npzBytes } from '../support/npy-files.ts';
import { loadIris, loadMnist, takeBalanced } from '../../src/jobs/dataset.ts';
import { createRng } from '../../src/jobs/rng.ts';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';

function png(grey: Float32Array): Uint8Array {
  const p = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 784; i++) {
    p.data.fill(Math.round(grey[i]! * 255), i * 4, i * 4 + 3);
    p.data[i * 4 + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(p));
}

beforeAll(() => ensureBuilt(), 600_000);

let dir: string;
const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { cwd: dir, env: { RUNMEDIC_DB: path.join(dir, 'x.db'), ...env }, timeoutMs: 60_000 });
const flipped = new Set<number>();

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-datacheck-'));
  // Iris as a CSV, with a split column whose validation rows include 3 copies of training rows.
  const iris = loadIris();
  const rows = Array.from({ length: 150 }, (_, i) => [...iris.x.subarray(i * 4, i * 4 + 4)].map((v) => v.toFixed(1)).join(','));
  const lines = ['sepal_length,sepal_width,petal_length,petal_width,species,split'];
  rows.forEach((r, i) => lines.push(`${r},${iris.classNames[iris.y[i]!]},${i % 5 === 0 ? 'val' : 'train'}`));
  // Three training rows copied into validation (lines 152–154 copy lines 3, 4, 5).
  for (const i of [1, 2, 3]) lines.push(`${rows[i]},${iris.classNames[iris.y[i]!]},val`);
  writeFileSync(path.join(dir, 'iris.csv'), lines.join('\n') + '\n');
  // 240 MNIST digits as uint8 with 10 % of labels flipped.
  const m = takeBalanced(loadMnist(), 240);
  const rng = createRng(5);
  const y = Array.from(m.y, (v, i) => {
    if (rng.next() >= 0.1) return v;
    flipped.add(i);
    return (v + 1 + rng.int(9)) % 10;
  });
  writeFileSync(path.join(dir, 'digits.npz'), npzBytes({ x: npyBytes(Array.from(m.x, (v) => Math.round(v * 255)), [240, 28, 28], '|u1'), y: npyBytes(y, [240], '<i8') }, true));
  // The same digits as PNG class folders with train/ and val/, one validation image a copy of a training one.
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 40; i++) files[`${i < 30 ? 'train' : 'val'}/${m.y[i]}/${i}.png`] = png(m.x.subarray(i * 784, (i + 1) * 784));
  files[`val/${m.y[5]}/again.png`] = png(m.x.subarray(5 * 784, 6 * 784));
  writeFileSync(path.join(dir, 'digits.zip'), zipSync(files));
  writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array([0, 1, 2, 3, 0, 0, 0, 9, 8]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runmedic datacheck (as a process)', { timeout: 60_000 }, () => {
  it('a CSV: the label and split columns found, the leaked validation rows named, label errors checked', async () => {
    const r = await cli(['datacheck', 'iris.csv']);
    expect(r.stderr).toBe('');
    const out = r.stdout.split('\n');
    expect(out[0]).toMatch(/^❌ iris\.csv {2}\(120 training \+ 33 validation, 4 features, 3 classes\): 1 failing, \d warnings?, \d passed$/);
    expect(out).toContain('   note: label column: species');
    expect(out).toContain('   note: split column: split');
    // Iris has repeated measurements, and some sit on both sides of this split.
    expect(r.stdout).toMatch(/❌ Train\/validation leakage: \d validation examples of 33 \(\d+(\.\d)? %\) also sit in training: \d identical/);
    expect(r.stdout).toContain('e.g. line 152 ≈ line 3');
    expect(r.stdout).toMatch(/(✅|⚠️|❌) .*Label errors/);
    expect(r.code).toBe(1);
  });

  it('digits with flipped labels: the suspects listed with given and suggested label, the contact sheet written; --json of the CSV parses', async () => {
    const [text, json] = await Promise.all([cli(['datacheck', 'digits.npz', '--sheet', 'sheet.png', '--suspects', '5']), cli(['datacheck', 'iris.csv', '--json'])]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('digits.npz  (240 examples, 28×28×1 images, 10 classes)');
    expect(text.stdout).toContain('❌ Input scale: pixel values range 0 to 255: raw bytes, not scaled');
    expect(text.stdout).toMatch(/❌ Label errors: \d+ examples \(\d+(\.\d)? %\) look mislabelled/);
    const listed = text.stdout.split('\n').filter((l) => /^ {3}x\[\d+\] +\d → \d {3}p /.test(l));
    expect(listed).toHaveLength(5);
    const hits = listed.filter((l) => flipped.has(Number(/x\[(\d+)\]/.exec(l)![1])));
    expect(hits.length).toBeGreaterThanOrEqual(4);
    expect(text.stderr).toBe('contact sheet: sheet.png\n');
    const png = readFileSync(path.join(dir, 'sheet.png'));
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    const report = JSON.parse(json.stdout);
    expect(report.items.map((i: { id: string }) => i.id)).toEqual(['class_imbalance', 'too_little_data', 'unnormalized_inputs', 'duplicates', 'near_duplicates', 'leakage', 'label_conflicts', 'label_noise']);
    expect(report.source).toBe('iris.csv');
    expect(report.suspects[0]).toMatchObject({ name: expect.stringMatching(/^line \d+$/), given: expect.any(String), suggested: expect.any(String) });
    expect(report.flagged).toBeGreaterThanOrEqual(report.suspects.length);
  });

  it('a zip of PNG class folders with train/ and val/: decoded, and the leaked image named', async () => {
    const r = await cli(['datacheck', 'digits.zip', '--no-label-errors']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/^❌ digits\.zip {2}\(30 training \+ 11 validation, 28×28×1 images, 10 classes\)/);
    expect(r.stdout).toContain('   note: 41 images in 10 class folders, split by their train/val folders');
    expect(r.stdout).toMatch(/❌ Train\/validation leakage: 1 validation example of 11 \(9\.1 %\) also sits in training: 1 identical/);
    expect(r.stdout).toMatch(/e\.g\. val\/\d\/again\.png ≈ train\/\d\/5\.png/);
    expect(r.stdout).toContain('❔ Label errors: not checked (--no-label-errors)');
  });

  it("--preset checks a training job's own data, faults included: the demo's label noise is flagged", async () => {
    const [noisy, both] = await Promise.all([
      cli(['datacheck', '--preset', 'mnist-mlp', '--limit', '400', '--fault', 'label-noise=0.2', '--suspects', '3']),
      cli(['datacheck', 'iris.csv', '--preset', 'iris-mlp']),
    ]);
    expect(noisy.code).toBe(1);
    expect(noisy.stdout.split('\n')[0]).toMatch(/^❌ mnist-mlp \(label-noise=0\.2\) {2}\(320 training \+ 80 validation, 28×28×1 images, 10 classes\)/);
    expect(noisy.stdout).toContain('   note: fault label-noise: 64 of 320 training labels replaced by another class');
    expect(noisy.stdout).toMatch(/❌ Label errors: \d+ examples/);
    expect(noisy.stdout).toMatch(/ {3}train\[\d+\] +\d → \d {3}p /);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give a file or --preset, not both');
  });

  it('bad input is exit 2 with the file and what was expected; a file over INGEST_MAX_BYTES is refused before reading', async () => {
    const [bin, missing, big, usage] = await Promise.all([
      cli(['datacheck', 'weights.bin']),
      cli(['datacheck', 'nope.csv']),
      cli(['datacheck', 'digits.npz'], { INGEST_MAX_BYTES: '1000' }),
      cli(['datacheck', 'iris.csv', '--suspects', 'lots']),
    ]);
    expect(bin.code).toBe(2);
    expect(bin.stderr).toMatch(/weights\.bin: binary content: expected a CSV with a header line, an \.npy\/\.npz, or a zip of image folders/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.csv: cannot read it \(ENOENT\)/);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/digits\.npz: \d+ bytes, over the limit of 1000 \(INGEST_MAX_BYTES\)/);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--suspects: expected a whole number 0–24, got "lots"');
  });
});
