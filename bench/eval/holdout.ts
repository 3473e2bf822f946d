/**
 * The injected hold-out set as `npm run eval` reads it: bench/holdout/labels.tsv (one row per run: file, format, label,
 * cause, …, sha256) plus each run's log under bench/holdout/out/runs/, parsed by runmedic's own readers. Made by
 * bench/holdout/generate.py (`npm run holdout`), a generator independent of the corpus'; never tuned on. When out/ is
 * missing but runs.tar.xz is committed, it is unpacked first, as the corpus is.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunLog } from '../../src/domain/run.ts';
import { parseFile } from '../../src/ingest/index.ts';
import { readTsvRows, runsMissing } from './labelled-set.ts';

export const HOLDOUT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'holdout');
export const HOLDOUT_ARCHIVE = path.join(HOLDOUT_DIR, 'runs.tar.xz');
export const HOLDOUT_LABELS = path.join(HOLDOUT_DIR, 'labels.tsv');

export interface HoldoutRow {
  file: string;
  format: string;
  label: string;
  cause: string;
  dataset: string;
  family: string;
  sha256: string;
}

export interface HoldoutRun extends HoldoutRow {
  runs: RunLog[];
  /** The reader's error, or a checksum that does not match labels.tsv (the log is then not scored as if it were). */
  parseError: string | null;
}

/** Why the hold-out set cannot be read from `dir`, or null when it can (unpacking runs.tar.xz when out/ is missing). */
export function holdoutMissing(dir = HOLDOUT_DIR): string | null {
  const labels = path.join(dir, 'labels.tsv');
  const archive = path.join(dir, 'runs.tar.xz');
  const runs = path.join(dir, 'out', 'runs');
  if (!existsSync(labels)) return `${path.relative(process.cwd(), labels)} is missing: run \`npm run holdout\` to generate the hold-out set (about 20 minutes on two cores)`;
  return runsMissing(runs, archive, dir, 'npm run holdout');
}

export function readHoldoutLabels(dir = HOLDOUT_DIR): HoldoutRow[] {
  return readTsvRows(path.join(dir, 'labels.tsv')) as unknown as HoldoutRow[];
}

/** Every labelled run with its log parsed; a missing, altered or unreadable log carries its reason in parseError. */
export function loadHoldout(dir = HOLDOUT_DIR): HoldoutRun[] {
  return readHoldoutLabels(dir).map((r) => {
    const file = path.join(dir, 'out', 'runs', r.file);
    let runs: RunLog[] = [];
    let parseError: string | null = null;
    try {
      const bytes = readFileSync(file);
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== r.sha256) throw new Error(`sha256 ${digest.slice(0, 12)}… is not labels.tsv's ${r.sha256.slice(0, 12)}…`);
      runs = parseFile(new Uint8Array(bytes), r.file);
    } catch (e) {
      parseError = (e as Error).message;
    }
    return { ...r, runs, parseError };
  });
}
