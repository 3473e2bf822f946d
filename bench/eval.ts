/**
 * `npm run eval [-- --split test|tune|all] [--quiet]`: scores the engine, and in the same run the rules users would
 * otherwise rely on (bench/baselines/), on
 * 1. the corpus' **test** split (bench/corpus/: really trained runs with confirmed labels; thresholds are never
 *    fitted on it) — 21 labels, the engine's item ids plus healthy;
 * 2. ../shared/real-logs (28 real logs with human labels; never tuned on further) — nine coarser labels;
 * 3. ../shared/console-logs (51 real console outputs with a label each, read by the general console reader; never tuned
 *    on) — the same nine labels (stuck_at_chance counted as plateau, as the real logs' vocabulary does).
 * 4. bench/holdout (an injected hold-out from an independent generator, one confirmed fault a run; never tuned on) —
 *    the corpus' labels.
 * A label is predicted when one of its items is fail or warn; healthy means no problem item fails or warns.
 * Prints per label precision/recall/F1, macro- and micro-F1, the false-alarm rate on healthy runs and the
 * comparison with every baseline on the labels it covers; writes bench/results/eval.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnose } from '../src/diagnose/index.ts';
import type { RunLog } from '../src/domain/run.ts';
import type { DiagnoseContext } from '../src/domain/context.ts';
import type { Verdict } from '../src/domain/verdict.ts';
import { parseFile } from '../src/ingest/index.ts';
import { REAL_LOGS_DIR } from '../test/support/real-logs.ts';
import { CONSOLE_LOGS_DIR } from '../test/support/console-logs.ts';
import { autotrainer } from './baselines/autotrainer.ts';
import { epochTable, type Baseline } from './baselines/epoch-table.ts';
import { kerasEarlyStopping } from './baselines/keras-early-stopping.ts';
import { lightningEarlyStopping } from './baselines/lightning-early-stopping.ts';
import { terminateOnNan } from './baselines/terminate-on-nan.ts';
import { umlaut } from './baselines/umlaut.ts';
import { zscoreAlert } from './baselines/zscore-alert.ts';
import { classCountOf, corpusMissing, loadCorpus } from './eval/corpus.ts';
import { holdoutMissing, loadHoldout } from './eval/holdout.ts';
import { CORPUS_LABELS, corpusLabels, flaggedItems, parseLabelsTsv, realLogLabels, SCORED_LABELS, type Label } from './eval/labels.ts';
import { PERTURBATIONS } from './eval/perturb.ts';
import { score, type Case, type Scores } from './eval/scoring.ts';

const BASELINES: Baseline[] = [kerasEarlyStopping(0), kerasEarlyStopping(5), terminateOnNan, lightningEarlyStopping, zscoreAlert, autotrainer, umlaut];
/** Targets of issue 14, on the corpus' test split. */
const TARGETS = { macroF1: 0.9, healthyFalseAlarms: 0.03, recall: 0.85, minLabels: 20 };

const args = process.argv.slice(2);
const splitAt = args.indexOf('--split');
const split = (splitAt >= 0 ? args[splitAt + 1] : 'test') as 'test' | 'tune' | 'all';
if (!['test', 'tune', 'all'].includes(split)) {
  console.error(`npm run eval: --split takes test, tune or all (got ${String(split)})`);
  process.exit(2);
}
const quiet = args.includes('--quiet');

function verdictsOf(runs: RunLog[], id: string, context: DiagnoseContext = {}): { verdicts: Verdict[]; ms: number[] } {
  const ms: number[] = [];
  const verdicts = runs.map((r, i) => {
    const t0 = performance.now();
    const v = diagnose({ id: `${id}#${i + 1}`, name: r.name, format: r.format, series: r.series }, context);
    ms.push(performance.now() - t0);
    return v;
  });
  return { verdicts, ms };
}

function baselineItems(b: Baseline, runs: RunLog[]): Set<string> {
  const out = new Set<string>();
  for (const r of runs) for (const l of b.predict(epochTable(r.series))) out.add(l);
  return out;
}

const pct = (x: number | null) => (x === null ? '   -' : `${Math.round(x * 100)}`.padStart(4));
function table(name: string, s: Scores, only?: readonly string[]): string[] {
  const fa = s.healthyFalseAlarmRate === null ? '-' : `${(s.healthyFalseAlarmRate * 100).toFixed(1)} % of ${s.healthyRuns}`;
  const out = [`${name}: macro-F1 ${s.macroF1.toFixed(3)}, micro-F1 ${s.microF1.toFixed(3)}, exact ${s.exactCount}/${s.cases} (${(s.exactMatch * 100).toFixed(0)} %), false alarms on healthy ${fa}`];
  out.push('  label                    n   TP   FP   FN     P     R    F1');
  for (const l of s.perLabel) {
    if (only && !only.includes(l.label)) continue;
    out.push(`  ${l.label.padEnd(23)}${String(l.support).padStart(4)} ${String(l.tp).padStart(4)} ${String(l.fp).padStart(4)} ${String(l.fn).padStart(4)}  ${pct(l.precision)}  ${pct(l.recall)}  ${pct(l.f1)}`);
  }
  return out;
}

const log = (s = '') => console.log(s);
const result: Record<string, unknown> = { name: 'eval', date: new Date().toISOString() };
const diagnoseMs: number[] = [];

// ---------------------------------------------------------------- 1. the corpus
const missing = corpusMissing();
if (missing) {
  log(`CORPUS: not scored — ${missing}`);
  result.corpus = { absent: missing };
} else {
  const runs = loadCorpus(split);
  const engineCases: Case[] = [];
  // The same runs diagnosed as a user who knows the class count would (`--classes K`): a separate row, not the headline.
  const withClassesCases: Case[] = [];
  const baseCases = new Map<string, Case[]>(BASELINES.map((b) => [b.name, []]));
  const parseErrors: string[] = [];
  const misses: Array<{ id: string; truth: string[]; predicted: string[] }> = [];
  for (const r of runs) {
    const truth = new Set(r.labels);
    if (r.parseError) {
      parseErrors.push(`${r.id}: ${r.parseError}`);
      // An unreadable log is a miss for every label of the run, and for the baselines alike.
      engineCases.push({ file: r.id, truth, predicted: new Set() });
      withClassesCases.push({ file: r.id, truth, predicted: new Set() });
      for (const b of BASELINES) baseCases.get(b.name)!.push({ file: r.id, truth, predicted: new Set() });
      continue;
    }
    const { verdicts, ms } = verdictsOf(r.runs, r.id);
    diagnoseMs.push(...ms);
    const predicted = corpusLabels(flaggedItems(verdicts));
    engineCases.push({ file: r.id, truth, predicted });
    const classes = classCountOf(r.id);
    withClassesCases.push({ file: r.id, truth, predicted: classes ? corpusLabels(flaggedItems(verdictsOf(r.runs, r.id, { classes }).verdicts)) : predicted });
    if (![...truth].every((l) => predicted.has(l as never)) || predicted.size !== truth.size) misses.push({ id: r.id, truth: [...truth], predicted: [...predicted] });
    for (const b of BASELINES) baseCases.get(b.name)!.push({ file: r.id, truth, predicted: corpusLabels(baselineItems(b, r.runs)) });
  }
  const engine = score(engineCases, CORPUS_LABELS);
  const withClasses = score(withClassesCases, CORPUS_LABELS);
  const baselines = Object.fromEntries(BASELINES.map((b) => [b.name, score(baseCases.get(b.name)!, CORPUS_LABELS)]));
  log(`CORPUS (${split} split): ${runs.length} runs, ${parseErrors.length} unreadable`);
  for (const line of table('ENGINE', engine)) log(line);
  // What changes when the class count is given (classification runs), label by label.
  const changed = withClasses.perLabel.filter((l) => l.f1 !== engine.perLabel.find((e) => e.label === l.label)!.f1);
  log(`ENGINE given the class count (--classes K, classification runs): macro-F1 ${withClasses.macroF1.toFixed(3)}, exact ${withClasses.exactCount}/${withClasses.cases}, false alarms on healthy ${((withClasses.healthyFalseAlarmRate ?? 0) * 100).toFixed(1)} %` +
    `${changed.length ? `; F1 ${changed.map((l) => `${l.label} ${pct(engine.perLabel.find((e) => e.label === l.label)!.f1).trim()} → ${pct(l.f1).trim()}`).join(', ')}` : ''}`);
  // Beside the engine, each baseline on the labels it covers.
  const comparison: Array<{ baseline: string; label: string; engineF1: number | null; baselineF1: number | null; better: boolean }> = [];
  for (const b of BASELINES) {
    const s = baselines[b.name]!;
    log('');
    for (const line of table(b.name, s, [...b.covers, 'healthy'])) log(line);
    for (const label of b.covers) {
      const e = engine.perLabel.find((l) => l.label === label)!;
      const o = s.perLabel.find((l) => l.label === label)!;
      comparison.push({ baseline: b.name, label, engineF1: e.f1, baselineF1: o.f1, better: (e.f1 ?? 0) > (o.f1 ?? 0) });
    }
  }
  const scoredLabels = engine.perLabel.filter((l) => l.support > 0);
  const weakRecall = scoredLabels.filter((l) => (l.recall ?? 0) < TARGETS.recall).map((l) => `${l.label} ${pct(l.recall).trim()} %`);
  const notBetter = comparison.filter((c) => !c.better).map((c) => `${c.label} vs ${c.baseline} (${c.engineF1?.toFixed(2)} ≤ ${c.baselineF1?.toFixed(2)})`);
  const targets = {
    labelsScored: scoredLabels.length,
    macroF1: engine.macroF1 >= TARGETS.macroF1,
    healthyFalseAlarms: (engine.healthyFalseAlarmRate ?? 1) <= TARGETS.healthyFalseAlarms,
    recallEveryLabel: weakRecall.length === 0,
    betterThanEveryBaseline: notBetter.length === 0,
  };
  log(`\ncorpus targets: ${scoredLabels.length} labels scored (≥ ${TARGETS.minLabels}); macro-F1 ${engine.macroF1.toFixed(3)} (≥ ${TARGETS.macroF1}) ${targets.macroF1 ? 'met' : 'NOT MET'}; ` +
    `healthy false alarms ${((engine.healthyFalseAlarmRate ?? 0) * 100).toFixed(1)} % (≤ 3 %) ${targets.healthyFalseAlarms ? 'met' : 'NOT MET'}; ` +
    `recall ≥ 0.85 on every label ${targets.recallEveryLabel ? 'met' : `NOT MET (${weakRecall.join(', ')})`}; ` +
    `better than every baseline on the labels it covers ${targets.betterThanEveryBaseline ? 'met' : `NOT MET (${notBetter.join('; ')})`}`);
  if (parseErrors.length) log(`unreadable logs: ${parseErrors.slice(0, 10).join(' | ')}${parseErrors.length > 10 ? ' …' : ''}`);
  if (!quiet) {
    // What the engine confuses, per true label: the commonest predicted sets of the runs it got wrong.
    log('\nmisses by true label (commonest predicted sets):');
    const by = new Map<string, Map<string, number>>();
    for (const m of misses) {
      const k = m.truth.sort().join(',');
      const p = m.predicted.sort().join(',') || '(nothing)';
      if (!by.has(k)) by.set(k, new Map());
      by.get(k)!.set(p, (by.get(k)!.get(p) ?? 0) + 1);
    }
    for (const [k, m] of [...by].sort()) log(`  ${k.padEnd(24)} ${[...m].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([p, n]) => `${p} ×${n}`).join('; ')}`);
  }
  const byGroup = (key: 'framework' | 'format' | 'dataset' | 'family') => {
    const g = new Map<string, Case[]>();
    runs.forEach((r, i) => {
      const k = String(r[key] ?? '');
      if (!g.has(k)) g.set(k, []);
      g.get(k)!.push(engineCases[i]!);
    });
    return Object.fromEntries([...g].map(([k, cs]) => {
      const s = score(cs, CORPUS_LABELS);
      return [k, { runs: cs.length, exactMatch: Number(s.exactMatch.toFixed(3)), microF1: Number(s.microF1.toFixed(3)) }];
    }));
  };
  const groups = { framework: byGroup('framework'), format: byGroup('format'), dataset: byGroup('dataset'), family: byGroup('family') };
  log(`\nby format (exact / micro-F1): ${Object.entries(groups.format).map(([k, v]) => `${k} ${v.exactMatch}/${v.microF1} (${v.runs})`).join(', ')}`);
  log(`by framework: ${Object.entries(groups.framework).map(([k, v]) => `${k} ${v.exactMatch}/${v.microF1} (${v.runs})`).join(', ')}`);
  result.corpus = { split, runs: runs.length, unreadable: parseErrors.length, engine, engineGivenClassCount: withClasses, baselines, comparison, targets, groups, misses: misses.slice(0, 500) };
}

// ---------------------------------------------------------------- 2. the shared real logs
/**
 * A labelled set of real logs (the shared real logs, the console logs), scored in the real logs' vocabulary: `judge`
 * diagnoses one file, `add` records it for the engine and every baseline, `scores` scores them all.
 */
function labelledLogSet() {
  const engineCases: Case[] = [];
  const baseCases = new Map<string, Case[]>(BASELINES.map((b) => [b.name, []]));
  return {
    engineCases,
    judge(file: string, runs: RunLog[]) {
      const { verdicts, ms } = verdictsOf(runs, file);
      diagnoseMs.push(...ms);
      const flagged = flaggedItems(verdicts);
      return { flagged, predicted: realLogLabels(flagged) };
    },
    add(file: string, truth: Set<string>, predicted: Set<Label>, runs: RunLog[]) {
      engineCases.push({ file, truth, predicted });
      for (const b of BASELINES) baseCases.get(b.name)!.push({ file, truth, predicted: realLogLabels(baselineItems(b, runs)) });
    },
    scores() {
      return { engine: score(engineCases, SCORED_LABELS), baselines: Object.fromEntries(BASELINES.map((b) => [b.name, score(baseCases.get(b.name)!, SCORED_LABELS)])) };
    },
  };
}

if (!REAL_LOGS_DIR) {
  log('\nREAL LOGS: ../shared/real-logs is not present; not scored');
  result.realLogs = { absent: true };
} else {
  const dir = REAL_LOGS_DIR;
  const logs = parseLabelsTsv(readFileSync(path.join(dir, 'labels.tsv'), 'utf8'));
  const set = labelledLogSet();
  const engineCases = set.engineCases;
  const rows: Array<{ file: string; truth: string[]; engine: string[]; flaggedItems: string[]; scored: boolean; flips: Record<string, string[]> }> = [];
  for (const entry of logs) {
    const runs = parseFile(new Uint8Array(readFileSync(path.join(dir, entry.file))), entry.file);
    const { flagged, predicted } = set.judge(entry.file, runs);
    const scored = !entry.labels.includes('unclear');
    const truth = new Set(entry.labels);
    const flips: Record<string, string[]> = {};
    for (const p of PERTURBATIONS) {
      const again = realLogLabels(flaggedItems(runs.map((r, i) => diagnose({ id: `${entry.file}#${i + 1}`, name: r.name, format: r.format, series: p.apply(r.series) }))));
      flips[p.name] = scored ? SCORED_LABELS.filter((l) => again.has(l) !== predicted.has(l)).map((l) => `${l}${again.has(l) ? '+' : '-'}`) : [];
    }
    rows.push({ file: entry.file, truth: entry.labels, engine: [...predicted].sort(), flaggedItems: [...flagged].sort(), scored, flips });
    if (scored) set.add(entry.file, truth, predicted, runs);
  }
  const { engine, baselines } = set.scores();
  log(`\nREAL LOGS (../shared/real-logs, never tuned on further): ${logs.length} logs, ${engineCases.length} scored`);
  if (!quiet) {
    log('file                             human labels                 engine predicts                   flagged items');
    for (const r of rows) log(`${r.file.padEnd(33)}${r.truth.join(',').padEnd(29)}${r.engine.join(',').padEnd(34)}${r.flaggedItems.join(' ')}${r.scored ? '' : '  (not scored)'}`);
  }
  for (const line of table('ENGINE', engine)) log(line);
  const best = Math.max(...Object.values(baselines).map((s) => s.macroF1));
  log(`baselines' macro-F1: ${Object.entries(baselines).map(([n, s]) => `${n} ${s.macroF1.toFixed(3)}`).join('; ')}`);
  const flipCount = Object.fromEntries(PERTURBATIONS.map((p) => [p.name, rows.reduce((n, r) => n + r.flips[p.name]!.length, 0)]));
  log(`perturbation flips (decisions that change when the noise around a curve's trend is scaled): ${Object.entries(flipCount).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  result.realLogs = { logs: logs.length, scored: engineCases.length, engine, baselines, bestBaselineMacroF1: best, perturbationFlips: flipCount, rows };
}

// ---------------------------------------------------------------- 3. the shared console logs
// 50 real console outputs from public repositories with a label each (../shared/console-logs/manifest.tsv): read by
// the general console reader, scored in the real logs' vocabulary. Never tuned on.
const CONSOLE_LABEL: Record<string, Label> = {
  healthy: 'healthy', overfitting: 'overfitting', divergence: 'divergence', nan_loss: 'nan', not_converged: 'not_converged',
  plateau: 'plateau', stuck_at_chance: 'plateau', underfitting: 'underfitting', oscillation: 'oscillating', noisy_validation: 'noisy_val',
};
if (!CONSOLE_LOGS_DIR) {
  log('\nCONSOLE LOGS: ../shared/console-logs is not present; not scored');
  result.consoleLogs = { absent: true };
} else {
  const dir = CONSOLE_LOGS_DIR;
  const lines = readFileSync(path.join(dir, 'manifest.tsv'), 'utf8').split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0]!.split('\t');
  const fileCol = header.indexOf('file');
  const labelCol = header.indexOf('label');
  const set = labelledLogSet();
  const rows: Array<{ file: string; truth: string[]; engine: string[]; flaggedItems: string[]; error?: string }> = [];
  for (const line of lines.slice(1)) {
    const cells = line.split('\t');
    const file = cells[fileCol]!;
    const truth = new Set(cells[labelCol]!.split(',').map((l) => CONSOLE_LABEL[l.trim()] ?? (l.trim() as Label)));
    let runs: ReturnType<typeof parseFile>;
    try {
      runs = parseFile(new Uint8Array(readFileSync(path.join(dir, file))), file);
    } catch (e) {
      rows.push({ file, truth: [...truth], engine: [], flaggedItems: [], error: String((e as Error).message).slice(0, 160) });
      set.engineCases.push({ file, truth, predicted: new Set() });
      continue;
    }
    const { flagged, predicted } = set.judge(file, runs);
    rows.push({ file, truth: [...truth].sort(), engine: [...predicted].sort(), flaggedItems: [...flagged].sort() });
    set.add(file, truth, predicted, runs);
  }
  const { engine, baselines } = set.scores();
  log(`\nCONSOLE LOGS (../shared/console-logs, real pastes read by the general reader, never tuned on): ${rows.length} logs, ${rows.filter((r) => r.error).length} unreadable`);
  if (!quiet) {
    for (const r of rows) log(`${r.file.slice(0, 44).padEnd(45)}${r.truth.join(',').padEnd(24)}${(r.error ? `UNREADABLE ${r.error}` : r.engine.join(',')).padEnd(30)}${r.flaggedItems.join(' ')}`);
  }
  for (const line of table('ENGINE', engine)) log(line);
  log(`baselines' macro-F1: ${Object.entries(baselines).map(([n, sc]) => `${n} ${sc.macroF1.toFixed(3)}`).join('; ')}`);
  result.consoleLogs = { logs: rows.length, engine, baselines, rows };
}

// ---------------------------------------------------------------- 4. the injected hold-out
// bench/holdout: runs trained by an independent generator (bench/holdout/generate.py: its own loop, datasets and log
// writers; only the corpus' label checks are shared), each with one injected fault confirmed by them. Never tuned on.
const holdoutAbsent = holdoutMissing();
if (holdoutAbsent) {
  log(`\nINJECTED HOLD-OUT: not scored — ${holdoutAbsent}`);
  result.holdout = { absent: holdoutAbsent };
} else {
  const runs = loadHoldout();
  const engineCases: Case[] = [];
  const baseCases = new Map<string, Case[]>(BASELINES.map((b) => [b.name, []]));
  const parseErrors: string[] = [];
  for (const r of runs) {
    const truth = new Set([r.label]);
    if (r.parseError) {
      parseErrors.push(`${r.file}: ${r.parseError}`);
      engineCases.push({ file: r.file, truth, predicted: new Set() });
      for (const b of BASELINES) baseCases.get(b.name)!.push({ file: r.file, truth, predicted: new Set() });
      continue;
    }
    const { verdicts, ms } = verdictsOf(r.runs, r.file);
    diagnoseMs.push(...ms);
    engineCases.push({ file: r.file, truth, predicted: corpusLabels(flaggedItems(verdicts)) });
    for (const b of BASELINES) baseCases.get(b.name)!.push({ file: r.file, truth, predicted: corpusLabels(baselineItems(b, r.runs)) });
  }
  const engine = score(engineCases, CORPUS_LABELS);
  const baselines = Object.fromEntries(BASELINES.map((b) => [b.name, score(baseCases.get(b.name)!, CORPUS_LABELS)]));
  log(`\nINJECTED HOLD-OUT (bench/holdout, independent generator, never tuned on): ${runs.length} runs, ${parseErrors.length} unreadable`);
  if (runs.length === 0) log('  (labels.tsv lists no run: nothing scored)');
  for (const line of table('ENGINE', engine, engine.perLabel.filter((l) => l.support > 0 || l.fp > 0).map((l) => l.label))) log(line);
  log(`baselines' macro-F1: ${Object.entries(baselines).map(([n, sc]) => `${n} ${sc.macroF1.toFixed(3)}`).join('; ')}`);
  if (parseErrors.length) log(`unreadable logs: ${parseErrors.slice(0, 10).join(' | ')}${parseErrors.length > 10 ? ' …' : ''}`);
  const byFormat = Object.fromEntries([...new Set(runs.map((r) => r.format))].sort().map((f) => {
    const s = score(engineCases.filter((_, i) => runs[i]!.format === f), CORPUS_LABELS);
    return [f, { runs: s.cases, exactMatch: Number(s.exactMatch.toFixed(3)), microF1: Number(s.microF1.toFixed(3)) }];
  }));
  log(`by format (exact / micro-F1): ${Object.entries(byFormat).map(([k, v]) => `${k} ${v.exactMatch}/${v.microF1} (${v.runs})`).join(', ')}`);
  const misses = engineCases.filter((c) => c.predicted.size !== 1 || !c.predicted.has([...c.truth][0] as never)).map((c) => ({ file: c.file, truth: [...c.truth], predicted: [...c.predicted].sort() }));
  result.holdout = { runs: runs.length, unreadable: parseErrors.length, engine, baselines, byFormat, misses };
}

diagnoseMs.sort((a, b) => a - b);
result.diagnoseMs = { median: Number((diagnoseMs[diagnoseMs.length >> 1] ?? 0).toFixed(2)), max: Number((diagnoseMs[diagnoseMs.length - 1] ?? 0).toFixed(1)) };
const benchDir = path.dirname(fileURLToPath(import.meta.url));
mkdirSync(path.join(benchDir, 'results'), { recursive: true });
writeFileSync(path.join(benchDir, 'results', 'eval.json'), JSON.stringify(result, null, 2) + '\n');
log(`\nwrote bench/results/eval.json`);
