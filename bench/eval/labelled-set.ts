/**
 * What the corpus (bench/eval/corpus.ts) and the injected hold-out (bench/eval/holdout.ts) read the same way: a
 * tab-separated label file with a header row, and a runs directory unpacked from its committed .tar.xz when missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The rows of a tab-separated file with a header line, as header → cell ('' for a missing cell). */
export function readTsvRows(file: string): Array<Record<string, string>> {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0]!.split('\t');
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = cells[i] ?? ''));
    return row;
  });
}

/**
 * Why `runsDir` cannot be read, or null when it can: a missing directory is unpacked from `archive` into `into` first.
 * `regenerate` is the command that makes the set again, named when there is no archive either.
 */
export function runsMissing(runsDir: string, archive: string, into: string, regenerate: string): string | null {
  if (existsSync(runsDir)) return null;
  if (!existsSync(archive)) return `${path.relative(process.cwd(), runsDir)} is missing and no ${path.basename(archive)} is committed: run \`${regenerate}\``;
  execFileSync('tar', ['-xJf', archive, '-C', into]);
  return existsSync(runsDir) ? null : `unpacking ${archive} did not give ${runsDir}`;
}
