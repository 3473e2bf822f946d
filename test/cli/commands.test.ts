/** The CLI ships compiled (issue 16): `bin` and `npm start` run dist/, `--help` loads no command module. */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_ENTRIES, loadAllCommands } from '../../src/cli/commands.ts';
import { REPO_ROOT } from '../support/real-logs.ts';
import { builtBin, ensureBuilt } from '../support/built.ts';
import { CONFIG_ENV_NAMES } from '../../src/config.ts';

// These tests start the compiled runmedic as a process: build it first if a source changed (test/support/built.ts).
beforeAll(() => ensureBuilt(), 600_000);

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the compiled CLI', { timeout: 120_000 }, () => {
  it('bin, start and prepare run the build; tsx is for development only', () => {
    expect(pkg.bin.runmedic).toBe('dist/src/cli.js');
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
    expect(pkg.scripts.start).toBe('node dist/src/main.js');
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(readFileSync(builtBin(), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    // `npx runmedic` runs the file itself: it must be executable (tsc does not set the bit; scripts/build.mjs does).
    expect(statSync(builtBin()).mode & 0o111).toBe(0o111);
  });

  it('--help lists every command without loading any command module, zod, pino or SQLite', () => {
    // A loader hook that reports every module the process loads.
    const hooks = path.join(dir, 'hooks.mjs');
    writeFileSync(hooks, 'export async function load(url, context, next) { process._rawDebug(`loaded ${url}`); return next(url, context); }\n');
    const register = path.join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    const r = spawnSync(process.execPath, ['--import', register, builtBin(), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const e of COMMAND_ENTRIES) expect(r.stdout).toContain(`  ${e.name}`);
    const loaded = r.stderr.split('\n').filter((l) => l.startsWith('loaded ')).map((l) => l.slice(7));
    const ours = loaded.filter((u) => u.includes('/dist/src/')).map((u) => u.replace(/.*\/dist\/src\//, ''));
    expect(ours).toContain('cli/main.js');
    const commandModules = COMMAND_ENTRIES.map((e) => `cli/${e.name}.js`);
    expect(ours.filter((m) => commandModules.includes(m) || /^(app|store|diagnose|ingest|charts|jobs|bot)\//.test(m) || m === 'config.js' || m === 'logger.js')).toEqual([]);
    expect(loaded.some((u) => /node_modules\/(zod|pino|better-sqlite3)\//.test(u))).toBe(false);
  });

  // zod (config validation) and pino cost `diagnose` about 100 ms of its start-up: they load only when needed.
  it('diagnose of a file with no configuration variable set loads the engine as one file, and neither zod nor pino', () => {
    const hooks = path.join(dir, 'hooks-all.mjs');
    writeFileSync(hooks, 'export async function load(url, context, next) { process._rawDebug(`loaded ${url}`); return next(url, context); }\n');
    const register = path.join(dir, 'register-all.mjs');
    // pino is CommonJS, required through createRequire: the loader hook does not see it, the require cache does.
    writeFileSync(
      register,
      `import Module, { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n` +
        "process.on('exit', () => { for (const f of Object.keys(Module._cache)) process._rawDebug(`loaded ${f}`); });\n",
    );
    const csv = path.join(dir, 'small.csv');
    writeFileSync(csv, `epoch,loss,val_loss\n${Array.from({ length: 30 }, (_, e) => `${e},${1 / (e + 1)},${1.1 / (e + 1)}`).join('\n')}\n`);
    const env = { ...withoutConfig(process.env), RUNMEDIC_DB: ' ', LOG_LEVEL: '' };
    const r = spawnSync(process.execPath, ['--import', register, builtBin(), 'diagnose', csv, '--json'], { encoding: 'utf8', env });
    expect([0, 1]).toContain(r.status);
    expect(JSON.parse(r.stdout).run.points).toBe(60);
    const loaded = r.stderr.split('\n').filter((l) => l.startsWith('loaded ')).map((l) => l.slice(7));
    // The engine and the readers come as one file (scripts/build.mjs; test/cli/diagnose-bundle.test.ts), not ~100.
    expect(loaded.filter((u) => u.endsWith('/dist/src/app/diagnose-run.bundle.js'))).toHaveLength(1);
    expect(loaded.filter((u) => /\/dist\/src\/(diagnose\/index|ingest\/index|ingest\/csv|app\/diagnose-run)\.js$/.test(u))).toEqual([]);
    expect(loaded.filter((u) => /node_modules\/(zod|pino|pino-pretty)\//.test(u))).toEqual([]);
    expect(loaded.filter((u) => /\/dist\/src\/config\.js$/.test(u))).toEqual([]);
  });

  it('a bad configuration variable is still refused by name, exit 2 (as a process)', () => {
    const csv = path.join(dir, 'small.csv');
    const r = spawnSync(process.execPath, [builtBin(), 'diagnose', csv], { encoding: 'utf8', env: { ...withoutConfig(process.env), HTTP_PORT: 'eighty', LOG_LEVEL: 'loud' } });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'runmedic: invalid configuration:\n  LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent\n  HTTP_PORT: expected a TCP port (1–65535)\n',
    );
  });

  it("the command list's summaries are the commands' own", async () => {
    const commands = await loadAllCommands();
    expect(commands.map((c) => [c.name, c.summary])).toEqual(COMMAND_ENTRIES.map((e) => [e.name, e.summary]));
  });
});

/** The environment without any of runmedic's configuration variables (the test runner's own may set some). */
function withoutConfig(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && !CONFIG_ENV_NAMES.includes(e[0])));
}
