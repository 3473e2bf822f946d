/**
 * `npm run eval`: scores the engine on ../shared/real-logs/labels.tsv and, in the same run, the rules users would
 * otherwise rely on (bench/baselines/). Prints a table per label (P, R, F1) and overall agreement for each predictor,
 * and writes bench/results/eval-real-logs.json.
 *
 * Mapping (issue 3): a label counts as predicted when one of its items is fail or warn; healthy = none of the mapped
 * items at fail. `unclear` logs are reported, not scored. A file holding several runs is judged on all of them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnose } from '../src/diagnose/index.ts';
import type { Verdict } from '../src/domain/verdict.ts';
import { parseFile } from '../src/ingest/index.ts';
import { REAL_LOGS_DIR } from '../test/support/real-logs.ts';
import { autotrainer } from './baselines/autotrainer.ts';
import { epochTable, type Baseline } from './baselines/epoch-table.ts';
import { kerasEarlyStopping } from './baselines/keras-early-stopping.ts';
import { terminateOnNan } from './baselines/terminate-on-nan.ts';
import { umlaut } from './baselines/umlaut.ts';
import { parseLabelsTsv, predictedLabels, SCORED_LABELS, type Label } from './eval/labels.ts';
import { score, type Case, type Scores } from './eval/scoring.ts';
import { PERTURBATIONS } from './eval/perturb.ts';

const BASELINES: Baseline[] = [kerasEarlyStopping(0), kerasEarlyStopping(5), terminateOnNan, autotrainer, umlaut];
const TARGET_AGREEMENT = 0.9;

if (!REAL_LOGS_DIR) {
  console.error('eval: ../shared/real-logs is not present; nothing to score');
  process.exit(2);
}
const dir = REAL_LOGS_DIR;
const logs = parseLabelsTsv(readFileSync(path.join(dir, 'labels.tsv'), 'utf8'));

interface Row {
  file: string;
  truth: string[];
  engine: string[];
  flaggedItems: string[];
  baselines: Record<string, string[]>;
  scored: boolean;
  /** Per perturbation, the scored labels whose decision flips (empty when none). */
  flips: Record<string, string[]>;
}

const rows: Row[] = [];
const engineCases: Case[] = [];
const baselineCases = new Map<string, Case[]>(BASELINES.map((b) => [b.name, []]));
const healthyViolations: string[] = [];
const diagnoseMs: number[] = [];

for (const log of logs) {
  const runs = parseFile(new Uint8Array(readFileSync(path.join(dir, log.file))), log.file);
  const verdicts: Verdict[] = runs.map((r, i) => {
    const t0 = performance.now();
    const v = diagnose({ id: `${log.file}#${i + 1}`, name: r.name, format: r.format, series: r.series });
    diagnoseMs.push(performance.now() - t0);
    return v;
  });
  const predicted = predictedLabels(verdicts);
  const scored = !log.labels.includes('unclear');
  const truth = new Set(log.labels);
  const row: Row = {
    file: log.file,
    truth: log.labels,
    engine: [...predicted].sort(),
    flaggedItems: [...new Set(verdicts.flatMap((v) => v.items.filter((i) => i.status === 'fail' || i.status === 'warn').map((i) => `${i.id}:${i.status}`)))],
    baselines: {},
    scored,
    flips: {},
  };
  for (const p of PERTURBATIONS) {
    const again = predictedLabels(runs.map((r, i) => diagnose({ id: `${log.file}#${i + 1}`, name: r.name, format: r.format, series: p.apply(r.series) })));
    row.flips[p.name] = scored ? SCORED_LABELS.filter((l) => again.has(l) !== predicted.has(l)).map((l) => `${l}${again.has(l) ? '+' : '-'}`) : [];
  }
  if (scored) engineCases.push({ file: log.file, truth, predicted });
  if (truth.has('healthy')) {
    for (const v of verdicts) for (const i of v.items) if ((i.id === 'divergence' || i.id === 'nan_loss') && (i.status === 'fail' || i.status === 'warn')) healthyViolations.push(`${log.file}: ${i.id} ${i.status}`);
  }
  for (const b of BASELINES) {
    const p = new Set<string>();
    for (const r of runs) for (const l of b.predict(epochTable(r.series))) p.add(l);
    const labels = new Set<Label>([...p].filter((l): l is Label => (SCORED_LABELS as readonly string[]).includes(l)));
    if (labels.size === 0) labels.add('healthy');
    row.baselines[b.name] = [...labels].sort();
    if (scored) baselineCases.get(b.name)!.push({ file: log.file, truth, predicted: labels });
  }
  rows.push(row);
}

const engine = score(engineCases);
const baselines = Object.fromEntries([...baselineCases].map(([name, cases]) => [name, score(cases)]));

const pct = (x: number | null) => (x === null ? '   -' : `${Math.round(x * 100)}`.padStart(4));
function table(name: string, s: Scores): string[] {
  const out = [`${name}: agreement ${(s.agreement * 100).toFixed(1)} % of label decisions, ${(s.labelRecall * 100).toFixed(0)} % of human labels found, ` +
    `${(s.exactMatch * 100).toFixed(0)} % exact label sets, macro-F1 ${s.macroF1.toFixed(3)}`];
  out.push('  label          TP  FP  FN     P     R    F1');
  for (const l of s.perLabel) out.push(`  ${l.label.padEnd(14)}${String(l.tp).padStart(3)} ${String(l.fp).padStart(3)} ${String(l.fn).padStart(3)}  ${pct(l.precision)}  ${pct(l.recall)}  ${pct(l.f1)}`);
  return out;
}

console.log(`Real logs: ${logs.length} (${engineCases.length} scored, ${logs.length - engineCases.length} unclear)\n`);
console.log('file                             human labels                 engine predicts                   flagged items');
for (const r of rows) console.log(`${r.file.padEnd(33)}${r.truth.join(',').padEnd(29)}${r.engine.join(',').padEnd(34)}${r.flaggedItems.join(' ')}${r.scored ? '' : '  (not scored)'}`);
console.log('');
for (const line of table('ENGINE', engine)) console.log(line);
for (const [name, s] of Object.entries(baselines)) {
  console.log('');
  for (const line of table(name, s)) console.log(line);
}
const bestBaseline = Math.max(...Object.values(baselines).map((s) => s.macroF1));
const targets = {
  agreementAtLeast90: engine.agreement >= TARGET_AGREEMENT,
  noDivergenceOrNanOnHealthy: healthyViolations.length === 0,
  macroF1AboveEveryBaseline: engine.macroF1 > bestBaseline,
};
console.log('\nleave-it-out: scored label decisions that flip under a small perturbation (+ gained, - lost)');
for (const p of PERTURBATIONS) {
  const f = rows.filter((r) => r.flips[p.name].length).map((r) => `${r.file.slice(0, 3)} ${r.flips[p.name].join(',')}`);
  console.log(`  ${p.name.padEnd(24)}${f.length ? f.join('; ') : 'none'}`);
}
const flipCount = Object.fromEntries(PERTURBATIONS.map((p) => [p.name, rows.reduce((n, r) => n + r.flips[p.name].length, 0)]));
console.log(`\nsummary: engine macro-F1 ${engine.macroF1.toFixed(3)} vs best baseline ${bestBaseline.toFixed(3)}; agreement ${(engine.agreement * 100).toFixed(1)} %`);
console.log(`healthy logs with divergence/nan_loss: ${healthyViolations.length ? healthyViolations.join('; ') : 'none'}`);
console.log(`targets: ${Object.entries(targets).map(([k, v]) => `${k}=${v ? 'met' : 'NOT MET'}`).join(', ')}`);

const benchDir = path.dirname(fileURLToPath(import.meta.url));
mkdirSync(path.join(benchDir, 'results'), { recursive: true });
writeFileSync(
  path.join(benchDir, 'results', 'eval-real-logs.json'),
  JSON.stringify(
    {
      name: 'eval-real-logs',
      date: new Date().toISOString(),
      logs: logs.length,
      scored: engineCases.length,
      agreementDefinition: 'share of (log, label) decisions over the 9 scored labels that match the human labels',
      engine,
      baselines,
      bestBaselineMacroF1: bestBaseline,
      healthyViolations,
      targets,
      diagnoseMsMax: Number(Math.max(...diagnoseMs).toFixed(1)),
      perturbations: { note: 'residuals around each curve\'s trend (log scale) scaled; decisions over the scored labels that flip', flips: flipCount },
      rows,
    },
    null,
    2,
  ) + '\n',
);
