#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` runs it, offline): compiles src/ and commands/ into dist/ with tsc
// (tsconfig.build.json, incremental) and marks the CLI executable, as package.json's `bin` needs for `npx runmedic`
// (tsc writes files without the executable bit). Then writes the diagnose use case again as one file,
// dist/src/app/diagnose-run.bundle.js (see bundleDiagnoseRun). Exits with tsc's status.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
const cli = path.join(root, 'dist', 'src', 'cli.js');
if (existsSync(cli)) chmodSync(cli, 0o755);
const entry = path.join(root, 'dist', 'src', 'app', 'diagnose-run.js');
const bundle = path.join(path.dirname(entry), 'diagnose-run.bundle.js');
// Never a stale bundle: without a fresh one the CLI loads the modules tsc wrote.
rmSync(bundle, { force: true });
const bundled = existsSync(entry) && (await bundleDiagnoseRun(entry, bundle));
process.exit(r.status !== 0 ? (r.status ?? 1) : bundled ? 0 : 1);

/**
 * `runmedic diagnose` (and `chart`) load the diagnose use case with every log reader and every rule, about a hundred
 * modules: as one file, from the JavaScript tsc just wrote, a process spends 0.1–0.2 s less loading and running it
 * (issue 16: diagnose of a 1,000,000-row CSV against pandas.read_csv). src/app/load-diagnose-run.ts loads this file in
 * the build and the TypeScript under tsx. Three kinds of module stay files of their own, imported from the bundle:
 * packages (node_modules), modules imported dynamically (loaded only when needed, as before), and modules whose
 * identity or location matters: one that defines an Error subclass (the CLI tells a bad input from a bug with
 * instanceof IngestError, RunNotFoundError…: one class, not a copy) or reads import.meta (paths next to its file).
 */
async function bundleDiagnoseRun(entryFile, outfile) {
  const { build } = await import('esbuild');
  const outdir = path.dirname(outfile);
  const keepApart = new Map();
  const mustKeepApart = (file) => {
    if (!keepApart.has(file)) {
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      keepApart.set(file, /\bclass\s+[\w$]+\s+extends\s+[\w$.]*Error\b/.test(text) || /\bimport\.meta\b/.test(text));
    }
    return keepApart.get(file);
  };
  const asExternal = (file) => {
    const rel = path.relative(outdir, file).split(path.sep).join('/');
    return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
  };
  try {
    await build({
      entryPoints: [entryFile],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'warning',
      plugins: [
        {
          name: 'keep-apart',
          setup(b) {
            b.onResolve({ filter: /^\.\.?\// }, (a) => {
              const file = path.resolve(a.resolveDir, a.path);
              return a.kind === 'dynamic-import' || mustKeepApart(file) ? asExternal(file) : undefined;
            });
          },
        },
      ],
    });
    return true;
  } catch (e) {
    rmSync(outfile, { force: true });
    console.error(`build: could not write ${path.relative(root, outfile)}: ${e instanceof Error ? e.message : e}`);
    return false;
  }
}
