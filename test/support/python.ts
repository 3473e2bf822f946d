/**
 * Whether python3 has some modules, found with importlib's find_spec, without importing them: the interop tests decide
 * at collection time whether to run or skip, and `import keras` or `import lightning` alone takes 10-15 s (the test's
 * own script imports them anyway). A module that is there but fails to import makes its test fail, not skip.
 */
import { spawnSync } from 'node:child_process';

/** The modules python3 lacks among `modules` (['python3'] when there is no python3). */
export function missingPythonModules(...modules: string[]): string[] {
  const code = 'import importlib.util, sys\nprint(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))';
  const r = spawnSync('python3', ['-c', code, ...modules], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return ['python3'];
  return r.stdout.trim().split(/\s+/).filter(Boolean);
}
