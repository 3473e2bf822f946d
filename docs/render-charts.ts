/**
 * `npx tsx docs/render-charts.ts`: draws the README's pictures from the bundled examples/ into docs/
 * (one run chart per example, the four overlaid, and the digest grid of all four).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnoseFile } from '../src/app/diagnose-run.ts';
import { writeRunChart } from '../src/app/render-chart.ts';
import { renderCompareChart } from '../src/charts/compare-chart.ts';
import { renderDigestGrid } from '../src/charts/digest-grid.ts';

const docs = path.dirname(fileURLToPath(import.meta.url));
const examples = path.join(docs, '..', 'examples');
const files = readdirSync(examples).filter((f) => /\.(csv|json)$/.test(f)).sort();
const runs = files.flatMap((f) => diagnoseFile(path.join(examples, f)));

for (const r of runs) {
  const out = path.join(docs, `chart-${r.run.name}.png`);
  writeRunChart(out, r.run, r.verdict);
  console.log(out);
}
const light = runs.find((r) => r.run.name.includes('overfitting'));
if (light) {
  const out = path.join(docs, `chart-${light.run.name}-light.png`);
  writeRunChart(out, light.run, light.verdict, { theme: 'light' });
  console.log(out);
}
const compare = path.join(docs, 'compare-examples.png');
writeFileSync(compare, renderCompareChart(runs.map((r) => r.run), { metric: 'loss', split: 'train', title: 'training loss of the four examples' }).png);
console.log(compare);
const worst = (r: (typeof runs)[number]) => r.verdict.items.find((i) => i.status === r.verdict.status && i.status !== 'pass')?.title;
const digest = path.join(docs, 'digest-examples.png');
writeFileSync(digest, renderDigestGrid(runs.map((r) => ({ run: r.run, status: r.verdict.status, caption: worst(r) })), { title: 'Run health: examples/' }).png);
console.log(digest);
