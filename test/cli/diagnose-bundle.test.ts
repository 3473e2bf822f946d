/**
 * The build writes the diagnose use case again as one file (scripts/build.mjs: dist/src/app/diagnose-run.bundle.js),
 * which `runmedic diagnose` and `chart` load (issue 16: it saves the process 0.1–0.2 s). It must be the same program:
 * the same verdicts and notes, the same refusals, and the error classes the CLI tells bad input by are not copies.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as modules from '../../src/app/diagnose-run.ts';
import { ensureBuilt } from '../support/built.ts';
import { REAL_LOGS_DIR, REPO_ROOT } from '../support/real-logs.ts';

const BUNDLE = path.join(REPO_ROOT, 'dist', 'src', 'app', 'diagnose-run.bundle.js');

beforeAll(() => ensureBuilt(), 600_000);

/** Every log at hand: the examples, the console fixtures, and the shared real logs where present. */
function logs(): string[] {
  const dirs = [path.join(REPO_ROOT, 'examples'), path.join(REPO_ROOT, 'test', 'fixtures', 'console'), ...(REAL_LOGS_DIR ? [REAL_LOGS_DIR] : [])];
  return dirs.flatMap((d) =>
    readdirSync(d)
      .map((f) => path.join(d, f))
      .filter((f) => statSync(f).isFile() && !/\.(ts|tsv|md)$|\.truth\.json$/.test(f)),
  );
}

/** What a face shows of a diagnosis, or the refusal. */
function outcome(diagnoseFile: typeof modules.diagnoseFile, file: string): unknown {
  try {
    return diagnoseFile(file).map((r) => ({ verdict: r.verdict, from: r.from, notes: r.notes, name: r.run.name, series: r.run.series.map((s) => [s.key, s.split, s.name, Array.from(s.values), s.epochs && Array.from(s.epochs)]) }));
  } catch (e) {
    return { error: (e as Error).name, message: (e as Error).message };
  }
}

describe('the diagnose bundle', { timeout: 300_000 }, () => {
  it('diagnoses every log at hand exactly as the modules do, refusals included', async () => {
    expect(existsSync(BUNDLE)).toBe(true);
    const bundle = (await import(pathToFileURL(BUNDLE).href)) as typeof modules;
    const files = logs();
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) expect(outcome(bundle.diagnoseFile, file), path.relative(REPO_ROOT, file)).toEqual(outcome(modules.diagnoseFile, file));
  });

  it('holds no error class and no import.meta of its own: those modules stay files it imports', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    expect(text.match(/\bclass\s+[\w$]+\s+extends\s+[\w$.]*Error\b/g)).toBeNull();
    expect(text).not.toMatch(/\bimport\.meta\b/);
    expect(text).toContain('from "../ingest/ingest-error.js"');
    expect(text).toContain('from "../store/run-store.js"');
  });
});
