import { showRun, type PointRef, type RunOverview } from '../app/show-run.ts';
import type { CliCommand } from './command.ts';
import { formatNumber, formatTable, formatTime, toJson } from './format.ts';
import { runSummaryJson } from './runs.ts';
import { describeEpochs } from '../domain/epochs.ts';

export const showCommand: CliCommand = {
  name: 'show',
  summary: 'show one run: its series, point counts, first/last/min/max',
  args: '<run>',
  minArgs: 1,
  maxArgs: 1,
  options: {
    json: { type: 'boolean', description: 'print JSON instead of text' },
  },
  async run(ctx, { positionals, values }) {
    const overview = await showRun(await ctx.openStore(), positionals[0]!);
    if (values.json) ctx.out(toJson(overviewJson(overview)));
    else for (const line of overviewText(overview)) ctx.out(line);
  },
};

export function overviewJson(o: RunOverview) {
  return {
    run: { ...runSummaryJson(o.run), contentHash: o.run.source.contentHash, notes: o.run.notes, meta: o.run.meta },
    series: o.series,
  };
}

export function overviewText(o: RunOverview): string[] {
  const r = o.run;
  const lines = [
    `${r.id}  ${r.name}`,
    `  ${r.source.format} from ${r.source.fileName} · ${r.status} · ${r.points} points · ${describeEpochs(r) ?? '? epochs'} · created ${formatTime(r.createdAt)} UTC`,
  ];
  for (const note of r.notes) lines.push(`  note: ${note}`);
  lines.push('');
  const at = (p: PointRef | null) => (p ? `${formatNumber(p.value)} @${formatNumber(p.step)}` : '-');
  lines.push(
    ...formatTable(
      ['SERIES', 'SPLIT', 'KEY', 'POINTS', 'FIRST', 'LAST', 'MIN', 'MAX', 'NAN/INF'],
      o.series.map((s) => [
        s.name,
        s.split,
        s.key,
        String(s.points),
        at(s.first),
        at(s.last),
        at(s.min),
        at(s.max),
        s.nonFinite.nan + s.nonFinite.posInf + s.nonFinite.negInf ? `${s.nonFinite.nan}/${s.nonFinite.posInf + s.nonFinite.negInf}` : '-',
      ]),
      new Set([3]),
    ),
  );
  return lines;
}
