/**
 * The committed injected hold-out set (bench/holdout: runs.tar.xz, SHA256SUMS, labels.tsv) is consistent, and the
 * `npm run eval` section that scores it reads every labelled run: the archive unpacks to exactly the files the checksum
 * manifest lists, with those checksums; labels.tsv names each of them once, with the same checksum, a known format and
 * one of the corpus' labels; and the eval's loader parses each log into at least one run, so the section cannot
 * silently score zero runs (or fewer than labelled).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOLDOUT_DIR, holdoutMissing, loadHoldout, readHoldoutLabels } from '../../bench/eval/holdout.ts';
import { CORPUS_LABELS } from '../../bench/eval/labels.ts';

const FORMATS = ['keras_csv', 'keras_history', 'trainer_state', 'lightning_csv'];
const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-holdout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function walk(root: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...walk(root, rel));
    else out.push(rel);
  }
  return out;
}

describe('injected hold-out set (bench/holdout)', () => {
  // Unpacked into a temp dir of its own beside a copy of labels.tsv: the test never reads a stale bench/holdout/out.
  execFileSync('tar', ['-xJf', path.join(HOLDOUT_DIR, 'runs.tar.xz'), '-C', dir]);
  const labelsText = readFileSync(path.join(HOLDOUT_DIR, 'labels.tsv'), 'utf8');
  const sums = new Map(
    readFileSync(path.join(HOLDOUT_DIR, 'SHA256SUMS'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
      const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(l);
      if (!m) throw new Error(`SHA256SUMS: not a 'sha256  path' line: ${l}`);
      return [m[2]!, m[1]!] as const;
    }),
  );

  it('the archive holds exactly the files SHA256SUMS lists, with those checksums', () => {
    const files = walk(dir);
    expect(files.length).toBeGreaterThan(0);
    expect(files).toEqual([...sums.keys()].sort());
    for (const f of files) expect(createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex'), f).toBe(sums.get(f));
  });

  it('labels.tsv names each archived log once, with its checksum, a known format and one corpus label', () => {
    const rows = readHoldoutLabels(HOLDOUT_DIR);
    expect(rows.length).toBe(sums.size);
    expect(new Set(rows.map((r) => r.file)).size).toBe(rows.length);
    for (const r of rows) {
      expect(sums.get(`out/runs/${r.file}`), r.file).toBe(r.sha256);
      expect(FORMATS, r.file).toContain(r.format);
      expect(CORPUS_LABELS as readonly string[], r.file).toContain(r.label);
      expect(r.cause.length, r.file).toBeGreaterThan(0);
    }
    const healthy = rows.filter((r) => r.label === 'healthy').length / rows.length;
    expect(healthy).toBeGreaterThan(0.1);
    expect(healthy).toBeLessThan(0.35);
    expect(new Set(rows.map((r) => r.format))).toEqual(new Set(FORMATS));
  });

  it("the eval section's loader reads every labelled run (none unreadable, none silently skipped)", () => {
    // The loader as `npm run eval` calls it, pointed at the fresh unpack (labels.tsv beside it).
    execFileSync('cp', [path.join(HOLDOUT_DIR, 'labels.tsv'), path.join(dir, 'labels.tsv')]);
    expect(holdoutMissing(dir)).toBeNull();
    const runs = loadHoldout(dir);
    expect(runs.length).toBe(labelsText.split('\n').filter((l) => l.trim()).length - 1);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.filter((r) => r.parseError).map((r) => `${r.file}: ${r.parseError}`)).toEqual([]);
    for (const r of runs) {
      expect(r.runs.length, r.file).toBeGreaterThanOrEqual(1);
      expect(r.runs[0]!.format, r.file).toBe(r.format === 'trainer_state' ? 'hf_trainer_state' : r.format);
    }
  });
});
