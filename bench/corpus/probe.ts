/**
 * `npx tsx bench/corpus/probe.ts [tune|test] ['{"rule-file.ts:key": value, …}']`: the engine's per-label scores on one
 * corpus split with some FIT thresholds overridden in memory (nothing is written), for trying a bar by hand before a
 * refit. Decide on `tune`; `test` is for the report. SHOW=<label> lists the runs it gets wrong for that label;
 * ITEM=<id> prints the flagged title of that item on runs whose truth lacks the label.
 */
import { buildView } from '../../src/diagnose/signals/view.ts';
import { loadCorpus } from '../eval/corpus.ts';
import { Judged, evaluate, fittedParams } from './fit.ts';
import { score } from '../eval/scoring.ts';
import { CORPUS_LABELS, corpusLabels } from '../eval/labels.ts';
import { tellOneStory } from '../../src/diagnose/story.ts';
const split = (process.argv[2] ?? 'tune') as 'tune' | 'test';
const overrides = JSON.parse(process.argv[3] ?? '{}') as Record<string, number>;
const params = await fittedParams();
for (const [k, v] of Object.entries(overrides)) {
  const [file, key] = k.split(':');
  const p = params.find((q) => q.file === file && q.key === key);
  if (!p) throw new Error(`no param ${k}`);
  p.fit[key!] = v;
}
const runs = loadCorpus(split).filter((r) => !r.parseError);
const prepared = runs.map((r) => ({ id: r.id, truth: new Set(r.labels), views: r.runs.map((x) => buildView(x.series)) }));
const judged = new Judged(prepared);
const e = evaluate(judged);
const cases = prepared.map((p, r) => {
  const out = new Set<string>();
  for (const its of judged.own[r]!.map((i) => tellOneStory(i))) for (const i of its) if (i.status === 'fail' || i.status === 'warn') out.add(i.id);
  return { file: p.id, truth: p.truth, predicted: corpusLabels(out) as Set<string> };
});
const s = score(cases, CORPUS_LABELS);
console.log(`${split}: macro ${e.macroF1.toFixed(3)} micro ${e.microF1.toFixed(3)} FA ${(e.falseAlarms * 100).toFixed(1)}% exact ${(s.exactMatch*100).toFixed(1)}%`);
for (const l of s.perLabel) console.log(`  ${l.label.padEnd(24)} n${String(l.support).padStart(4)} tp${String(l.tp).padStart(4)} fp${String(l.fp).padStart(4)} fn${String(l.fn).padStart(4)} F1 ${((l.f1 ?? 0) * 100).toFixed(0)}`);
console.log('perRuleFA', Object.entries(e.perRuleFalseAlarms).sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `${k} ${(v * 100).toFixed(1)}`).join(', '));
const show = process.env.SHOW;
if (show) {
  for (const c of cases) {
    const t = c.truth.has(show), p = c.predicted.has(show);
    if (t !== p) console.log(`${p ? 'FP' : 'FN'} ${c.file} truth=${[...c.truth].join(',')} pred=${[...c.predicted].join(',')}`);
  }
}
const item = process.env.ITEM;
if (item) {
  prepared.forEach((p, r) => {
    const its = judged.own[r]!.flatMap((x) => tellOneStory(x)).filter((i) => i.id === item && (i.status === 'fail' || i.status === 'warn'));
    const t = p.truth.has(item);
    if (its.length && !t) console.log(`FPITEM ${p.id} truth=${[...p.truth].join(',')}: ${its[0]!.title.slice(0, 150)}`);
  });
}
const miss = process.env.MISS;
if (miss) {
  // The item's own reading on runs whose truth has the label but the verdict does not flag it.
  prepared.forEach((p, r) => {
    if (!p.truth.has(miss)) return;
    const its = judged.own[r]!.flatMap((x) => tellOneStory(x)).filter((i) => i.id === miss);
    if (its.some((i) => i.status === 'fail' || i.status === 'warn')) return;
    const i = its[0];
    console.log(`MISS ${p.id} ${i ? `${i.status}: ${i.title.slice(0, 110)} ${JSON.stringify(i.evidence).slice(0, 200)}` : 'no item'}`);
  });
}
