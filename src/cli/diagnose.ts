import type { DiagnosedRun } from '../app/diagnose-run.ts';
import { CHART_STYLE_OPTIONS, chartStyle } from './chart.ts';
import type { DemoStep } from './demo.ts';
import type { ItemStatus, VerdictItem } from '../domain/verdict.ts';
import type { CliCommand } from './command.ts';
import { toJson } from './format.ts';
import { UsageError } from './usage-error.ts';
import { passSummary, verdictCoverage } from '../diagnose/verdict-coverage.ts';
import { alsoExplainsText, checklistView, namedTitle, namesLine } from '../app/checklist-view.ts';
import { describeEpochs } from '../domain/epochs.ts';

/** Exit code when some item fails: a CI gate for training runs. */
export const EXIT_SOMETHING_FAILS = 1;

/** The option that lists every not-checkable item, shared by the commands that print a checklist. */
export const ALL_OPTION = { all: { type: 'boolean', description: 'list every not-checkable item with what it needs (default: one line naming them)' } } as const;

export const diagnoseCommand: CliCommand = {
  name: 'diagnose',
  summary: 'diagnose a log file, a log directory or a stored run: a checklist with evidence and fixes (exit 1 when something fails)',
  args: '<file|dir|run>',
  minArgs: 1,
  maxArgs: 1,
  options: {
    json: { type: 'boolean', description: 'print the verdict JSON (one object; an array when the input holds several runs)' },
    classes: { type: 'string', valueName: 'K', description: 'number of classes (checks chance level and the first loss)' },
    ...ALL_OPTION,
    chart: { type: 'string', valueName: 'FILE', description: 'also draw the run as a PNG with the verdict marked (see `runmedic chart`)' },
    ...CHART_STYLE_OPTIONS,
  },
  async run(ctx, { positionals, values }) {
    const classes = parseClasses(values.classes);
    const chartStyleOptions = typeof values.chart === 'string' ? chartStyle(values, 'diagnose') : null;
    const diagnoseOptions = { classes, maxBytes: ctx.config.ingestMaxBytes };
    // Loaded here, not at the top: every CLI call imports every command file, and the engine and the chart
    // renderer (echarts, resvg) cost seconds that `runmedic ingest` or `--help` should not pay.
    const { loadDiagnoseRun } = await import('../app/load-diagnose-run.ts');
    const { diagnoseTarget, storedRunContexts } = await loadDiagnoseRun();
    // A stored run is diagnosed with what its job measured or its pusher declared, as the bot and the API judge it.
    const contexts = storedRunContexts({ jobs: ctx.openJobStore && (() => ctx.openJobStore!()), pushed: ctx.openPushStore && (() => ctx.openPushStore!()) });
    const results = await diagnoseTarget(positionals[0]!, () => ctx.openStore(), { ...diagnoseOptions, contexts });
    if (chartStyleOptions) {
      const { writeRunCharts } = await import('../app/render-chart.ts');
      // A chart that cannot be drawn is one sentence; the verdict below is printed all the same.
      for (const w of writeRunCharts(results, String(values.chart), chartStyleOptions)) ctx.err(w.problem ? `chart: ${w.file} not written. ${w.problem}` : `chart: ${w.file}`);
    }
    // The reader's notes (what it read, the templates it used, the names it inferred) ride on the run, so a wrong
    // guess is visible to tools as it is in the checklist.
    const withNotes = (r: (typeof results)[number]) => ({ ...r.verdict, run: { ...r.verdict.run, notes: r.notes } });
    if (values.json) ctx.out(toJson(results.length === 1 ? withNotes(results[0]!) : results.map(withNotes)));
    else results.forEach((r, i) => {
      if (i > 0) ctx.out('');
      for (const line of checklistText(r, { all: values.all === true })) ctx.out(line);
    });
    return results.some((r) => r.verdict.status === 'fail') ? EXIT_SOMETHING_FAILS : 0;
  },
};

function parseClasses(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const k = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v.trim()) || !Number.isInteger(k) || k < 2) {
    throw new UsageError(`--classes: expected a whole number of classes ≥ 2, got "${String(v)}"`, 'diagnose');
  }
  return k;
}

export const STATUS_ICON: Record<ItemStatus, string> = { fail: '❌', warn: '⚠️', pass: '✅', unknown: '❔' };

/**
 * The human checklist: each problem led by its plain name, then the engine's one-line finding, the findings it
 * explains folded under it, and the fix. Passes are one line of names, and so are the items that cannot be checked
 * from this data (a short log has a dozen or more), unless `all` asks for each with its finding or what it needs.
 * Evidence is not printed: the titles carry the numbers that matter and --json carries all of it.
 */
export function checklistText(r: Pick<DiagnosedRun, 'verdict' | 'from' | 'notes'>, opts: { all?: boolean } = {}): string[] {
  const v = r.verdict;
  const view = checklistView(v);
  const fails = view.problems.filter((p) => p.item.status === 'fail').length;
  const warns = view.problems.length - fails;
  // A pass that could check almost nothing is not shown as a clean ✅ (verdictCoverage); the status is unchanged.
  const tooLittle = verdictCoverage(v).tooLittleToJudge;
  const tally = [
    `${fails} failing`,
    `${warns} ${warns === 1 ? 'warning' : 'warnings'}`,
    `${view.passed.length} passed`,
    `${view.unknown.length} not checkable`,
  ].join(', ');
  const lines = [`${STATUS_ICON[tooLittle ? 'unknown' : v.status]} ${v.run.name}  (${v.run.format}, ${v.run.points} point${v.run.points === 1 ? '' : 's'}${v.run.epochs !== null ? `, ${describeEpochs(v.run)}` : ''}): ${tally}`];
  if (tooLittle) lines.push(`   ${passSummary(v)}`);
  for (const note of r.notes) lines.push(`   note: ${note}`);
  for (const p of view.problems) {
    lines.push(`${STATUS_ICON[p.item.status]} ${namedTitle(p.item)}`);
    const explains = alsoExplainsText(p);
    if (explains) lines.push(`     ${explains}`);
    if (p.item.fix) lines.push(`     fix: ${p.item.fix}`);
  }
  if (opts.all) {
    for (const item of view.passed) lines.push(`${STATUS_ICON.pass} ${namedTitle(item)}`);
    for (const item of view.unknown) lines.push(`${STATUS_ICON.unknown} ${namedTitle(item)}${item.fix ? ` (${item.fix})` : ''}`);
    return lines;
  }
  if (view.passed.length) lines.push(summaryLine(`${STATUS_ICON.pass} ${view.passed.length} passed, no sign of: `, view.passed, '(`--all` lists each with its finding)'));
  if (view.unknown.length === 1) lines.push(`${STATUS_ICON.unknown} ${namedTitle(view.unknown[0]!)}${view.unknown[0]!.fix ? ` (${view.unknown[0]!.fix})` : ''}`);
  else if (view.unknown.length) lines.push(summaryLine(`${STATUS_ICON.unknown} ${view.unknown.length} not checkable here: `, view.unknown, '(`--all` lists them with what each needs)'));
  return lines;
}

/** Names as many items as fit an ordinary terminal line, then '…': the line is a pointer to `--all`, not the list. */
function summaryLine(head: string, items: VerdictItem[], pointer: string, width = 110): string {
  return `${head}${namesLine(items, Math.max(20, width - head.length))} ${pointer}`;
}

/** The demo step (appended to DEMO_STEPS in demo.ts): diagnose every run the demo ingested. */
export const diagnoseIngestedStep: DemoStep = {
  title: 'Diagnose every ingested run',
  async run(ctx, state) {
    const { diagnoseStored } = await (await import('../app/load-diagnose-run.ts')).loadDiagnoseRun();
    const store = await ctx.openStore();
    for (const [i, ing] of state.ingested.entries()) {
      const run = await store.getRun(ing.run.id);
      if (!run) continue;
      if (i > 0) ctx.out('');
      for (const line of checklistText({ verdict: diagnoseStored(run), from: 'store', notes: [] }, { all: state.all })) ctx.out(line);
    }
  },
};
