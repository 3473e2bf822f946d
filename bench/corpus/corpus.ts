/**
 * `npm run corpus [-- options]`: the fault-injected corpus (bench/corpus/README.md).
 *
 *   (no option)        generate what is missing (Python generators, then TensorFlow.js), confirm the labels, pack
 *   --only F           one generator: torch | keras | lightning | hf | tfjs
 *   --jobs N           parallel Python workers (default 2)
 *   --confirm          only re-run the label checks (confirm.py) → manifest.tsv
 *   --pack             only pack out/runs into corpus.tar.xz (kept when under 30 MB)
 *   --fit [--write]    refit the engine's thresholds on the tune split and print what changed (--write edits the rule files)
 *
 * Never run by CI or the test suite: generation takes hours of this machine's two cores.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'out');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
/** The largest archive committed; above it the generator and the manifest (with checksums) are what is kept. */
const MAX_ARCHIVE_BYTES = 30 * 1024 * 1024;

function run(cmd: string, argv: string[]): void {
  console.log(`$ ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: path.resolve(here, '..', '..') });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    console.error(`corpus: ${cmd} exited with ${r.status}`);
    process.exit(r.status ?? 1);
  }
}

function confirm(): void {
  run('python3', [path.join(here, 'confirm.py'), '--out', out, '--manifest', path.join(here, 'manifest.tsv')]);
}

function pack(): void {
  const archive = path.join(here, 'corpus.tar.xz');
  run('tar', ['-cJf', archive, '-C', here, '--exclude', 'out/data', '--exclude', 'out/tmp', 'out/runs', 'out/runs.tsv']);
  const size = statSync(archive).size;
  if (size > MAX_ARCHIVE_BYTES) {
    unlinkSync(archive);
    console.log(`corpus: the archive is ${(size / 2 ** 20).toFixed(1)} MB (> 30 MB): not kept; manifest.tsv (with each log's sha256) and the generator are what is committed`);
  } else {
    console.log(`corpus: packed ${(size / 2 ** 20).toFixed(1)} MB → ${path.relative(process.cwd(), archive)}`);
  }
}

if (flag('--fit')) {
  const fitArgs = [path.join(here, 'fit.ts'), ...(flag('--write') ? ['--write'] : [])];
  run(process.execPath, ['--import', 'tsx', ...fitArgs]);
} else if (flag('--confirm')) {
  confirm();
} else if (flag('--pack')) {
  pack();
} else {
  const only = value('--only');
  const jobs = value('--jobs') ?? '2';
  if (only !== 'tfjs') run('python3', [path.join(here, 'generate.py'), '--out', out, '--jobs', jobs, ...(only ? ['--only', only] : [])]);
  if ((!only || only === 'tfjs') && existsSync(path.join(here, 'gen-tfjs.ts'))) run(process.execPath, ['--import', 'tsx', path.join(here, 'gen-tfjs.ts'), '--out', out]);
  confirm();
  pack();
}
