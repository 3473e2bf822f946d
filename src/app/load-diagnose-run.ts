/**
 * The diagnose use case (./diagnose-run.ts), loaded for a CLI command. In the build, the one-file bundle of it that
 * scripts/build.mjs writes beside it (the readers and the rules in one load: about 0.1–0.2 s less for a process,
 * issue 16's diagnose bench); without that file, and under tsx (development, tests), the modules themselves.
 */
type DiagnoseRun = typeof import('./diagnose-run.ts');

/** Not a literal: tsc neither resolves nor rewrites it (the file exists only in dist/). */
const BUNDLE: string = './diagnose-run.bundle.js';

export async function loadDiagnoseRun(): Promise<DiagnoseRun> {
  if (!import.meta.url.endsWith('.ts')) {
    try {
      return (await import(BUNDLE)) as DiagnoseRun;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String((e as Error).message).includes('diagnose-run.bundle.js')) throw e;
    }
  }
  return import('./diagnose-run.ts');
}
