/**
 * Structured logs produced here by the real libraries (scripts/capture-structured-fixtures.py; test/fixtures/structured/
 * and its manifest.tsv say which library, version and variant): Keras CSVLogger and History JSON variants, the
 * transformers Trainer's trainer_state.json, Lightning's CSVLogger, hand-written CSVs, JSON record lists and PyTorch's
 * word_language_model log. Each is read to the values the library itself recorded (the `.truth.json` beside it: every
 * series with its key, split, direction, cadence, values, epochs and steps), exactly or within the rounding the file
 * applied; no series more, none fewer.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunLog, Series } from '../../src/domain/run.ts';
import { parseEntries, parseFile } from '../../src/ingest/index.ts';
import { REPO_ROOT } from '../support/real-logs.ts';

const DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'structured');

type Num = number | 'NaN' | 'Infinity' | '-Infinity';

interface TruthSeries {
  name: string;
  key: string;
  split: Series['split'];
  direction: Series['direction'];
  cadence: Series['cadence'];
  n: number;
  values: Num[];
  epochs?: Num[];
  steps?: Num[];
  /** The file holds the values rounded to this many decimals. */
  decimals?: number;
}

interface Truth {
  library: string;
  variant: string;
  /** A file, or a folder read as `runmedic ingest <folder>` reads it. */
  path: string;
  format: RunLog['format'];
  runs: Array<{ name: string; series: TruthSeries[]; notes: string[] }>;
}

const num = (v: Num): number => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function read(truth: Truth): RunLog[] {
  const p = path.join(DIR, truth.path);
  if (!statSync(p).isDirectory()) return parseFile(readFileSync(p), truth.path);
  const entries = walk(p).map((f) => ({ path: path.relative(p, f).split(path.sep).join('/'), bytes: new Uint8Array(readFileSync(f)) }));
  return parseEntries(entries, truth.path);
}

/** Equal, NaN to NaN, within half a unit of the last printed decimal (or a float64 rounding when not rounded). */
function close(actual: ArrayLike<number>, expected: Num[], decimals: number | undefined, what: string): void {
  expect(actual.length, `${what}: points`).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = num(expected[i]!);
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= (decimals === undefined ? 1e-12 * Math.max(1, Math.abs(e)) : 0.5 * 10 ** -decimals + 1e-12 * Math.abs(e));
    if (!ok && bad.length < 5) bad.push(`[${i}] ${a} ≠ ${e}`);
  }
  expect(bad, what).toEqual([]);
}

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.truth.json'))
  .sort();

describe('structured logs produced by the real libraries', () => {
  it('has the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of fixtures) {
    const truth = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Truth;
    it(`${truth.path}: ${truth.variant} (${truth.library})`, () => {
      const runs = read(truth);
      expect(runs.map((r) => r.name)).toEqual(truth.runs.map((r) => r.name));
      runs.forEach((got, r) => {
        const want = truth.runs[r]!;
        expect(got.format, `${got.name}: format`).toBe(truth.format);
        expect(got.series.map((s) => s.name).sort(), `${got.name}: series`).toEqual(want.series.map((s) => s.name).sort());
        for (const t of want.series) {
          const s = got.series.find((x) => x.name === t.name)!;
          const what = `${got.name}: ${t.name}`;
          expect({ key: s.key, split: s.split, direction: s.direction, cadence: s.cadence }, what).toEqual({ key: t.key, split: t.split, direction: t.direction, cadence: t.cadence });
          close(s.values, t.values, t.decimals, `${what} values`);
          if (t.steps) close(s.steps, t.steps, undefined, `${what} steps`);
          // Points logged without an epoch (LearningRateMonitor's rows) have none: no epochs at all is the same.
          if (t.epochs && !(s.epochs === null && t.epochs.every((e) => e === 'NaN'))) {
            expect(s.epochs, `${what} epochs`).not.toBeNull();
            close(s.epochs!, t.epochs, undefined, `${what} epochs`);
          }
        }
        for (const note of want.notes) expect(got.notes.join('\n'), `${got.name}: notes`).toContain(note);
      });
    });
  }
});
