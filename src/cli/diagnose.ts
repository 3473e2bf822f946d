import type { DiagnosedRun } from '../app/diagnose-run.ts';
import { CHART_STYLE_OPTIONS, chartStyle } from './chart.ts';
import type { DemoStep } from './demo.ts';
import type { ItemStatus, VerdictItem } from '../domain/verdict.ts';
import type { CliCommand } from './command.ts';
import { formatNumber, toJson } from './format.ts';
import { UsageError } from './usage-error.ts';
import { passSummary, verdictCoverage } from '../diagnose/verdict-coverage.ts';

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
    const { diagnoseTarget, storedRunContexts } = await import('../app/diagnose-run.ts');
    // A stored run is diagnosed with what its job measured or its pusher declared, as the bot and the API judge it.
    const contexts = storedRunContexts({ jobs: ctx.openJobStore && (() => ctx.openJobStore!()), pushed: ctx.openPushStore && (() => ctx.openPushStore!()) });
    const results = await diagnoseTarget(positionals[0]!, () => ctx.openStore(), { ...diagnoseOptions, contexts });
    if (chartStyleOptions) {
      const { writeRunCharts } = await import('../app/render-chart.ts');
      // A chart that cannot be drawn is one sentence; the verdict below is printed all the same.
      for (const w of writeRunCharts(results, String(values.chart), chartStyleOptions)) ctx.err(w.problem ? `chart: ${w.file} not written. ${w.problem}` : `chart: ${w.file}`);
    }
    if (values.json) ctx.out(toJson(results.length === 1 ? results[0]!.verdict : results.map((r) => r.verdict)));
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
const ORDER: Record<ItemStatus, number> = { fail: 0, warn: 1, pass: 2, unknown: 3 };

/**
 * The human checklist: failures first, then warnings and passes, each with one line of evidence and the fix. The
 * items that cannot be checked from this data are one line naming them (a short log has a dozen or more), unless
 * `all` asks for each with what it needs; --json always carries them all.
 */
export function checklistText(r: Pick<DiagnosedRun, 'verdict' | 'from' | 'notes'>, opts: { all?: boolean } = {}): string[] {
  const v = r.verdict;
  const counts = (s: ItemStatus) => v.items.filter((i) => i.status === s).length;
  // A pass that could check almost nothing is not shown as a clean ✅ (verdictCoverage); the status is unchanged.
  const tooLittle = verdictCoverage(v).tooLittleToJudge;
  const lines = [
    `${STATUS_ICON[tooLittle ? 'unknown' : v.status]} ${v.run.name}  (${v.run.format}, ${v.run.points} points${v.run.epochs !== null ? `, ${v.run.epochs} epochs` : ''}): ` +
      `${counts('fail')} failing, ${counts('warn')} ${counts('warn') === 1 ? 'warning' : 'warnings'}, ${counts('pass')} passed, ${counts('unknown')} not checkable`,
  ];
  if (tooLittle) lines.push(`   ${passSummary(v)}`);
  for (const note of r.notes) lines.push(`   note: ${note}`);
  const items = [...v.items].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const unknown = items.filter((i) => i.status === 'unknown');
  for (const item of opts.all || unknown.length < 2 ? items : items.filter((i) => i.status !== 'unknown')) lines.push(...itemText(item));
  if (!opts.all && unknown.length >= 2) lines.push(unknownSummary(unknown.map((i) => i.id)));
  return lines;
}

/** Names as many ids as fit an ordinary terminal line, then '…': the line is a pointer to `--all`, not the list. */
function unknownSummary(ids: string[], width = 110): string {
  const head = `${STATUS_ICON.unknown} ${ids.length} not checkable here: `;
  const shown: string[] = [];
  for (const [k, id] of ids.entries()) {
    const rest = k === ids.length - 1 ? '' : ', …';
    if (shown.length > 0 && head.length + [...shown, id].join(', ').length + rest.length > width) break;
    shown.push(id);
  }
  return `${head}${shown.join(', ')}${shown.length < ids.length ? ', …' : ''} (\`--all\` lists them with what each needs)`;
}

function itemText(item: VerdictItem): string[] {
  const head = `${STATUS_ICON[item.status]} ${item.id} [${item.area}] ${item.title}`;
  if (item.status === 'pass') return [head];
  if (item.status === 'unknown') return [`${head}: ${item.fix}`];
  const out = [head];
  const ev = evidenceLine(item.evidence);
  if (ev) out.push(`     evidence: ${ev}`);
  if (item.fix) out.push(`     fix: ${item.fix}`);
  return out;
}

/** The scalar evidence as `key=value` pairs, at most six: one line a person can read. */
export function evidenceLine(evidence: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(evidence)) {
    if (parts.length >= 6) break;
    if (typeof v === 'number') parts.push(`${k}=${formatNumber(v)}`);
    else if (typeof v === 'string' || typeof v === 'boolean') parts.push(`${k}=${v}`);
  }
  return parts.join(', ');
}


/** The demo step (appended to DEMO_STEPS in demo.ts): diagnose every run the demo ingested. */
export const diagnoseIngestedStep: DemoStep = {
  title: 'Diagnose every ingested run',
  async run(ctx, state) {
    const { diagnoseStored } = await import('../app/diagnose-run.ts');
    const store = await ctx.openStore();
    for (const [i, ing] of state.ingested.entries()) {
      const run = await store.getRun(ing.run.id);
      if (!run) continue;
      if (i > 0) ctx.out('');
      for (const line of checklistText({ verdict: diagnoseStored(run), from: 'store', notes: [] }, { all: state.all })) ctx.out(line);
    }
  },
};
