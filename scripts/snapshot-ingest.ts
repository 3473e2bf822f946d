/**
 * Prints what the readers make of a set of logs, one JSON line per file: each run's format and notes, and each
 * series' name, key, split, cadence, length, first/last value and first/last epoch (or the error it gave). Run it
 * before and after a change to the readers and diff the two outputs:
 *
 *     npx tsx scripts/snapshot-ingest.ts ../shared/real-logs ../shared/console-logs test/fixtures examples > before.jsonl
 *
 * A directory is walked: its files one by one through parseFile, and each folder holding TensorBoard event files
 * once as a whole through parseEntries (as `runmedic ingest <dir>` reads them).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RunLog } from '../src/domain/run.ts';
import { parseEntries, parseFile } from '../src/ingest/index.ts';

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const num = (v: number | undefined) => (v === undefined ? null : Number.isFinite(v) ? v : String(v));

function describe(runs: RunLog[]) {
  return runs.map((r) => ({
    name: r.name,
    format: r.format,
    notes: r.notes,
    series: r.series.map((s) => ({
      name: s.name,
      key: s.key,
      split: s.split,
      cadence: s.cadence,
      direction: s.direction,
      n: s.values.length,
      first: num(s.values[0]),
      last: num(s.values.at(-1)),
      steps: [num(s.steps[0]), num(s.steps.at(-1))],
      epochs: s.epochs ? [num(s.epochs[0]), num(s.epochs.at(-1))] : null,
    })),
  }));
}

function attempt(label: string, read: () => RunLog[]): void {
  let result: unknown;
  try {
    result = { runs: describe(read()) };
  } catch (err) {
    result = { error: err instanceof Error ? err.message : String(err) };
  }
  console.log(JSON.stringify({ file: label, ...(result as object) }));
}

const TFEVENTS = /(^|\/)events\.out\.tfevents\./;
for (const root of process.argv.slice(2)) {
  const files = statSync(root).isDirectory() ? walk(root) : [root];
  // The event files of one folder under a `tfevents/` collection (or of one folder) are read together, as
  // `runmedic ingest <dir>` reads them (train/ and validation/ beside each other are one run).
  const eventRoots = new Set(files.filter((f) => TFEVENTS.test(f)).map(eventRoot));
  for (const f of files) {
    if (TFEVENTS.test(f)) continue;
    if (/\.(truth\.json|tsv|md|py|ts|js|sh|png)$/.test(f) && !/_log\.md$/.test(f)) continue;
    attempt(path.relative(root, f) || f, () => parseFile(readFileSync(f), path.basename(f)));
  }
  for (const top of eventRoots) {
    const entries = walk(top)
      .filter((f) => TFEVENTS.test(f))
      .map((f) => ({ path: path.relative(top, f), bytes: new Uint8Array(readFileSync(f)) }));
    attempt(`${path.relative(root, top)}/`, () => parseEntries(entries, path.basename(top)));
  }
}

function eventRoot(file: string): string {
  const parts = file.split('/');
  const at = parts.lastIndexOf('tfevents');
  return at >= 0 && at + 2 < parts.length ? parts.slice(0, at + 2).join('/') : path.dirname(file);
}
