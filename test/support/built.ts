/**
 * The compiled program (`npm run build`: tsc into dist/), for tests that start runmedic as a process the way people
 * do: `npx runmedic` runs package.json's `bin`, `npm start` runs dist/src/main.js. A test never runs a stale build:
 * when a source file is newer than the last build, it is rebuilt (incrementally) first, one build at a time across
 * test workers and concurrent test runs (a lock directory in dist/). After `npm ci` (whose `prepare` builds) nothing
 * is rebuilt.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './real-logs.ts';

const DIST = path.join(REPO_ROOT, 'dist');
const BUILD_INFO = path.join(DIST, '.tsbuildinfo');
const LOCK = path.join(DIST, '.build-lock');
/** A lock older than this was left by a killed build. */
const STALE_LOCK_MS = 5 * 60_000;

/** Path of the CLI the package's `bin` names (dist/src/cli.js), built and current. */
export function builtBin(): string {
  ensureBuilt();
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: { runmedic: string } };
  return path.join(REPO_ROOT, pkg.bin.runmedic);
}

/** Path of what `npm start` runs (dist/src/main.js), built and current. */
export function builtMain(): string {
  ensureBuilt();
  return path.join(DIST, 'src', 'main.js');
}

export function ensureBuilt(): void {
  if (isCurrent()) return;
  const lockedAt = Date.now();
  lock();
  try {
    if (isCurrent()) return;
    const started = Date.now();
    // What `npm run build` runs: tsc, then the CLI marked executable.
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
    // Type errors still emit JavaScript (typecheck is its own step); only a build that produced nothing is fatal.
    if (!existsSync(path.join(DIST, 'src', 'cli.js'))) throw new Error(`npm run build produced no dist/src/cli.js (waited ${Date.now() - lockedAt} ms):\n${r.stdout}${r.stderr}`);
    // The build covers every source as of its start, even when tsc left the build info untouched.
    if (existsSync(BUILD_INFO)) utimesSync(BUILD_INFO, new Date(started), new Date(started));
  } finally {
    unlock();
  }
}

function isCurrent(): boolean {
  if (!existsSync(path.join(DIST, 'src', 'cli.js')) || !existsSync(BUILD_INFO)) return false;
  const built = statSync(BUILD_INFO).mtimeMs;
  const inputs = [path.join(REPO_ROOT, 'tsconfig.json'), path.join(REPO_ROOT, 'tsconfig.build.json')];
  return newest([...inputs, ...files(path.join(REPO_ROOT, 'src')), ...files(path.join(REPO_ROOT, 'commands'))]) <= built;
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

function newest(paths: string[]): number {
  let t = 0;
  for (const p of paths) {
    try {
      t = Math.max(t, statSync(p).mtimeMs);
    } catch {
      // Deleted meanwhile (another engineer's rename): not an input any more.
    }
  }
  return t;
}

function lock(): void {
  mkdirSync(DIST, { recursive: true });
  const deadline = Date.now() + 2 * STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmdirSync(LOCK);
      } catch {
        // Released meanwhile.
      }
      if (Date.now() > deadline) throw new Error(`could not take ${LOCK} (another build running?)`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

function unlock(): void {
  try {
    rmdirSync(LOCK);
  } catch {
    // Already gone.
  }
}
