/**
 * The corpus as `npm run eval` and `npm run corpus -- --fit` read it: bench/corpus/manifest.tsv plus each run's log
 * under bench/corpus/out/runs/<id>/, parsed by runmedic's own readers (the engine sees exactly what a user's upload
 * would give it). When out/ is missing but corpus.tar.xz is committed, it is unpacked first.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunLog } from '../../src/domain/run.ts';
import { parseEntries, parseFile, type FileEntry } from '../../src/ingest/index.ts';
import { readTsvRows, runsMissing } from './labelled-set.ts';

export const CORPUS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'corpus');
/** `RUNMEDIC_CORPUS=<out dir>` reads another generation (a smoke batch, say): its runs/ and its manifest.tsv. */
const OTHER = process.env.RUNMEDIC_CORPUS ? path.resolve(process.env.RUNMEDIC_CORPUS) : null;
export const MANIFEST = OTHER ? path.join(OTHER, 'manifest.tsv') : path.join(CORPUS_DIR, 'manifest.tsv');
export const RUNS_DIR = OTHER ? path.join(OTHER, 'runs') : path.join(CORPUS_DIR, 'out', 'runs');
export const ARCHIVE = path.join(CORPUS_DIR, 'corpus.tar.xz');

export interface CorpusRow {
  id: string;
  split: 'tune' | 'test';
  intended: string;
  labels: string[];
  cause: string;
  framework: string;
  format: string;
  dataset: string;
  family: string;
  log: string;
  [key: string]: unknown;
}

export interface CorpusRun extends CorpusRow {
  /** The runs runmedic's readers found in the log (usually one), or the reader's error. */
  runs: RunLog[];
  parseError: string | null;
}

/** Why the corpus cannot be read, or null when it can. */
export function corpusMissing(): string | null {
  if (!existsSync(MANIFEST)) return `${path.relative(process.cwd(), MANIFEST)} is missing: run \`npm run corpus\` to generate the corpus (hours on two cores)`;
  return runsMissing(RUNS_DIR, ARCHIVE, CORPUS_DIR, 'npm run corpus');
}

export function readManifest(): CorpusRow[] {
  return readTsvRows(MANIFEST).map((row) => ({ ...row, labels: (row.labels ?? '').split(',').map((s) => s.trim()).filter(Boolean) }) as unknown as CorpusRow);
}

/** The manifest's usable runs of a split ('all' for both), each with its log parsed. */
export function loadCorpus(split: 'tune' | 'test' | 'all', limit = Infinity): CorpusRun[] {
  const rows = readManifest().filter((r) => (split === 'all' || r.split === split) && !r.labels.includes('dropped'));
  const out: CorpusRun[] = [];
  for (const r of rows.slice(0, limit)) {
    const file = path.join(RUNS_DIR, r.id, r.log);
    let runs: RunLog[] = [];
    let parseError: string | null = null;
    try {
      // A TensorBoard log is a directory (logs/train, logs/validation): read as a user's directory upload is.
      runs = statSync(file).isDirectory() ? parseEntries(walk(file), `${r.id}/${r.log}`) : parseFile(new Uint8Array(readFileSync(file)), `${r.id}/${r.log}`);
    } catch (e) {
      parseError = (e as Error).message;
    }
    out.push({ ...r, runs, parseError });
  }
  return out;
}

function walk(dir: string, prefix = ''): FileEntry[] {
  const out: FileEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(full).isDirectory()) out.push(...walk(full, rel));
    else out.push({ path: rel, bytes: new Uint8Array(readFileSync(full)) });
  }
  return out;
}

/** The class count a classification run was trained with (its record.json), or null (regression, or not recorded). */
export function classCountOf(id: string): number | null {
  try {
    const rec = JSON.parse(readFileSync(path.join(RUNS_DIR, id, 'record.json'), 'utf8')) as { task?: string; classes?: unknown };
    return rec.task === 'classification' && typeof rec.classes === 'number' && rec.classes >= 2 ? rec.classes : null;
  } catch {
    return null;
  }
}
