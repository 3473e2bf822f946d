import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './real-logs.ts';

/** `../shared/console-logs` beside the checkout (real console outputs, read in place), or null where it is absent. */
export const CONSOLE_LOGS_DIR: string | null = (() => {
  const dir = path.resolve(REPO_ROOT, '..', 'shared', 'console-logs');
  if (existsSync(path.join(dir, 'manifest.tsv'))) return dir;
  console.warn(`[runmedic tests] ${dir} not found: tests on the shared console logs are skipped`);
  return null;
})();
