/**
 * `npm run bench [-- name…]`: runs every bench/<name>.bench.ts (or the named ones) one after another,
 * prints each result and writes it to bench/results/<name>.json.
 * A bench file's default export is `async () => Record<string, unknown>` (the figures, with units in the key names).
 */
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();
if (files.length === 0) {
  console.error(`no bench matches ${wanted.join(', ')}`);
  process.exit(2);
}
mkdirSync(path.join(benchDir, 'results'), { recursive: true });
let failed = 0;
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  console.log(`\n=== bench ${name} ===`);
  const started = Date.now();
  try {
    const mod = (await import(pathToFileURL(path.join(benchDir, file)).href)) as { default: () => Promise<Record<string, unknown>> };
    const figures = await mod.default();
    const result = {
      name,
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      seconds: (Date.now() - started) / 1000,
      ...figures,
    };
    writeFileSync(path.join(benchDir, 'results', `${name}.json`), JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(figures, null, 2));
  } catch (e) {
    failed++;
    console.error(`bench ${name} failed:`, e);
  }
}
process.exit(failed ? 1 : 0);
