import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared/real-logs` beside the checkout, or null where it is absent (a user's clone). */
export const REAL_LOGS_DIR: string | null = (() => {
  const dir = path.resolve(repoRoot, '..', 'shared', 'real-logs');
  if (existsSync(path.join(dir, 'labels.tsv'))) return dir;
  console.warn(`[runmedic tests] ${dir} not found: tests on the shared real logs are skipped`);
  return null;
})();

export const REPO_ROOT = repoRoot;
