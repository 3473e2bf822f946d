/**
 * `npm run corpus -- --fit [--write]`: refits the engine's thresholds on the corpus' **tune** split (never the test
 * split, never ../shared/real-logs) and prints what changed.
 *
 * Every rule file that exports `FIT = { name: number, …, falseAlarms }` takes part: its numbers are the thresholds,
 * `falseAlarms` the share of healthy tune runs that rule flags at them. The search is coordinate ascent over a
 * multiplicative grid around each value, maximising the tune macro-F1 over the corpus labels subject to the issue's
 * constraint: all items together flag at most MAX_FALSE_ALARMS of the healthy runs (the search keeps a margin below
 * it, so the untouched test split has room). With --write the new values are written back into the rule files, with
 * the false-alarm rate each was fitted for.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DiagnoseContext } from '../../src/domain/context.ts';
import type { VerdictItem } from '../../src/domain/verdict.ts';
import { RULES } from '../../src/diagnose/rules/index.ts';
import { buildView, type RunView } from '../../src/diagnose/signals/view.ts';
import { tellOneStory } from '../../src/diagnose/story.ts';
import { corpusMissing, loadCorpus } from '../eval/corpus.ts';
import { CORPUS_LABELS, corpusLabels } from '../eval/labels.ts';
import { score, type Case } from '../eval/scoring.ts';

/** The issue's bound on healthy runs flagged by any item, and the margin the tune fit keeps below it. */
export const MAX_FALSE_ALARMS = 0.03;
export const FIT_FALSE_ALARMS = 0.02;
/**
 * Objective weight of each point of false alarms above FIT_FALSE_ALARMS, in macro-F1 points. 3: a rule is switched off
 * only when each point of healthy runs it stops flagging costs less than 3 points of macro-F1 (at 5 the fit disabled
 * plateau and val_better_than_train outright, a macro-F1 of 0.49 for 10 % false alarms).
 */
export const FALSE_ALARM_WEIGHT = 3;
/** Multiplicative steps tried around each value, per sweep. */
const STEPS = [0.5, 0.7, 0.85, 0.93, 1.08, 1.18, 1.4, 2];
const SWEEPS = 3;

const rulesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'diagnose', 'rules');

export interface Param {
  file: string;
  fit: Record<string, number>;
  key: string;
  integer: boolean;
}

/** Every FIT object of the rule files, and its numeric keys. */
export async function fittedParams(): Promise<Param[]> {
  const params: Param[] = [];
  for (const f of readdirSync(rulesDir).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(pathToFileURL(path.join(rulesDir, f)).href)) as { FIT?: Record<string, number> };
    if (!mod.FIT) continue;
    for (const [key, v] of Object.entries(mod.FIT)) {
      if (key === 'falseAlarms' || typeof v !== 'number' || !Number.isFinite(v)) continue;
      params.push({ file: f, fit: mod.FIT, key, integer: Number.isInteger(v) && v >= 2 });
    }
  }
  return params;
}

interface Prepared {
  id: string;
  truth: Set<string>;
  views: RunView[];
}

/**
 * Every rule's own items on every run, kept between evaluations: a threshold of one rule file only changes the rules
 * whose module reads that file (itself and the rules importing it), so only those are judged again.
 */
export class Judged {
  /** own[run][view][rule] */
  own: VerdictItem[][][];
  constructor(readonly prepared: Prepared[], readonly context: DiagnoseContext = {}) {
    this.own = prepared.map((p) => p.views.map((view) => RULES.map((rule) => judgeOne(rule, view, context))));
  }
  /** Re-judges the rules at these indices; returns the previous items so a rejected candidate can be put back. */
  rejudge(ruleIdx: number[]): Array<[number, number, number, VerdictItem]> {
    const saved: Array<[number, number, number, VerdictItem]> = [];
    this.prepared.forEach((p, r) => p.views.forEach((view, v) => {
      for (const k of ruleIdx) {
        saved.push([r, v, k, this.own[r]![v]![k]!]);
        this.own[r]![v]![k] = judgeOne(RULES[k]!, view, this.context);
      }
    }));
    return saved;
  }
  restore(saved: Array<[number, number, number, VerdictItem]>): void {
    for (const [r, v, k, item] of saved) this.own[r]![v]![k] = item;
  }
}

function judgeOne(rule: (typeof RULES)[number], view: RunView, context: DiagnoseContext): VerdictItem {
  try {
    return rule.check({ view, context });
  } catch {
    return { id: rule.id, area: rule.area, status: 'unknown', title: '', evidence: {}, fix: '', marks: [] };
  }
}

const flaggedIds = (itemsPerRun: VerdictItem[][]) => {
  const out = new Set<string>();
  for (const its of itemsPerRun) for (const i of its) if (i.status === 'fail' || i.status === 'warn') out.add(i.id);
  return out;
};

export interface Evaluation {
  macroF1: number;
  microF1: number;
  falseAlarms: number;
  /** Per rule id: share of healthy runs its own judgement flags (before the story). */
  perRuleFalseAlarms: Record<string, number>;
  objective: number;
}

export function evaluate(judged: Judged): Evaluation {
  const cases: Case[] = [];
  const ruleFa: Record<string, number> = {};
  let healthy = 0;
  judged.prepared.forEach((p, r) => {
    const own = judged.own[r]!;
    const items = own.map((its) => tellOneStory(its));
    cases.push({ file: p.id, truth: p.truth, predicted: corpusLabels(flaggedIds(items)) });
    if (p.truth.has('healthy')) {
      healthy++;
      for (const id of flaggedIds(own)) ruleFa[id] = (ruleFa[id] ?? 0) + 1;
    }
  });
  const s = score(cases, CORPUS_LABELS);
  const fa = s.healthyFalseAlarmRate ?? 0;
  const perRuleFalseAlarms = Object.fromEntries(Object.entries(ruleFa).map(([k, v]) => [k, v / Math.max(1, healthy)]));
  return { macroF1: s.macroF1, microF1: s.microF1, falseAlarms: fa, perRuleFalseAlarms, objective: s.macroF1 - FALSE_ALARM_WEIGHT * Math.max(0, fa - FIT_FALSE_ALARMS) };
}

/** For each rule file, the indices (in RULES) of the rules whose module imports it, directly or through others. */
export function readersOf(files: string[]): Map<string, number[]> {
  const imports = new Map<string, string[]>();
  for (const f of readdirSync(rulesDir).filter((f) => f.endsWith('.ts'))) {
    const src = readFileSync(path.join(rulesDir, f), 'utf8');
    imports.set(f, [...src.matchAll(/from '\.\/([\w-]+\.ts)'/g)].map((m) => m[1]!));
  }
  const closure = (f: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(f)) return seen;
    seen.add(f);
    for (const g of imports.get(f) ?? []) closure(g, seen);
    return seen;
  };
  const ruleFile = RULES.map((r) => [...imports.keys()].find((f) => readFileSync(path.join(rulesDir, f), 'utf8').includes(`id: '${r.id}'`)) ?? '');
  const out = new Map<string, number[]>();
  for (const file of files) out.set(file, RULES.map((_, k) => k).filter((k) => ruleFile[k] && closure(ruleFile[k]!).has(file)));
  return out;
}

/**
 * A share of the run or of the evaluations (`…Share`) stays at or below MAX_SHARE: above it a rule looks for a pattern
 * longer than the run and can never fire. The fit may make a rule strict, never switch it off (on a first refit it set
 * plateau's stall share to 1.08, silencing plateau, underfitting and stuck_at_chance, which shared that bar).
 */
export const MAX_SHARE = 0.9;

function candidates(p: Param, current: number): number[] {
  const out = new Set<number>([current]);
  for (const m of STEPS) {
    let v = current === 0 ? (m - 1) * 0.1 : current * m;
    if (/Share$/.test(p.key)) v = Math.min(v, MAX_SHARE);
    out.add(p.integer ? Math.max(1, Math.round(v)) : Number(v.toPrecision(3)));
  }
  return [...out];
}

/** Rewrites `key: value` inside the `export const FIT = { … }` literal of a rule file. */
export function writeBack(source: string, values: Record<string, number>): string {
  const start = source.indexOf('export const FIT = {');
  if (start < 0) return source;
  const end = source.indexOf('};', start);
  let literal = source.slice(start, end);
  for (const [k, v] of Object.entries(values)) literal = literal.replace(new RegExp(`(\\b${k}:\\s*)(-?[0-9.eE+-]+|NaN)`), `$1${v}`);
  return source.slice(0, start) + literal + source.slice(end);
}

async function main() {
  const missing = corpusMissing();
  if (missing) {
    console.error(`fit: ${missing}`);
    process.exit(2);
  }
  const write = process.argv.includes('--write');
  const runs = loadCorpus('tune').filter((r) => !r.parseError);
  const prepared: Prepared[] = runs.map((r) => ({ id: r.id, truth: new Set(r.labels), views: r.runs.map((x) => buildView(x.series)) }));
  console.log(`fit: ${prepared.length} tune runs (${prepared.filter((p) => p.truth.has('healthy')).length} healthy)`);
  const params = await fittedParams();
  const readers = readersOf([...new Set(params.map((p) => p.file))]);
  const judged = new Judged(prepared);
  const before = Object.fromEntries(params.map((p) => [`${p.file}:${p.key}`, p.fit[p.key]!]));
  let best = evaluate(judged);
  console.log(`start: macro-F1 ${best.macroF1.toFixed(3)}, false alarms ${(best.falseAlarms * 100).toFixed(1)} %`);
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    let improved = false;
    for (const p of params) {
      const current = p.fit[p.key]!;
      let bestValue = current;
      const affected = readers.get(p.file) ?? [];
      for (const v of candidates(p, current)) {
        if (v === current) continue;
        p.fit[p.key] = v;
        const saved = judged.rejudge(affected);
        const e = evaluate(judged);
        if (e.objective > best.objective + 1e-6) {
          best = e;
          bestValue = v;
          improved = true;
        }
        judged.restore(saved);
      }
      p.fit[p.key] = bestValue;
      if (bestValue !== current) judged.rejudge(affected);
    }
    console.log(`sweep ${sweep + 1}: macro-F1 ${best.macroF1.toFixed(3)}, false alarms ${(best.falseAlarms * 100).toFixed(1)} %`);
    if (!improved) break;
  }
  const changed = params.filter((p) => before[`${p.file}:${p.key}`] !== p.fit[p.key]);
  console.log(changed.length ? 'changed:' : 'no threshold changed');
  for (const p of changed) console.log(`  ${p.file} ${p.key}: ${before[`${p.file}:${p.key}`]} → ${p.fit[p.key]}`);
  console.log(`per-rule false alarms on healthy tune runs: ${Object.entries(best.perRuleFalseAlarms).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v * 100).toFixed(1)} %`).join(', ') || 'none'}`);
  if (write) {
    const byFile = new Map<string, Param[]>();
    for (const p of params) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
    for (const [file, ps] of byFile) {
      const full = path.join(rulesDir, file);
      const ruleIds = RULES.filter((r) => readFileSync(full, 'utf8').includes(`id: '${r.id}'`)).map((r) => r.id);
      const fa = Math.max(0, ...ruleIds.map((id) => best.perRuleFalseAlarms[id] ?? 0));
      const values: Record<string, number> = Object.fromEntries(ps.map((p) => [p.key, p.fit[p.key]!]));
      values.falseAlarms = Number(fa.toFixed(4));
      writeFileSync(full, writeBack(readFileSync(full, 'utf8'), values));
    }
    console.log(`wrote the fitted values into ${byFile.size} rule files`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
