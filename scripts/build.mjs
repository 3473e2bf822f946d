#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` runs it, offline): compiles src/ and commands/ into dist/ with tsc
// (tsconfig.build.json, incremental) and marks the CLI executable, as package.json's `bin` needs for `npx runmedic`
// (tsc writes files without the executable bit). Exits with tsc's status.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
const cli = path.join(root, 'dist', 'src', 'cli.js');
if (existsSync(cli)) chmodSync(cli, 0o755);
process.exit(r.status ?? 1);
