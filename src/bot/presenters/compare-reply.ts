/** A comparison of two runs as a reply: a short table of the differences and the overlay chart. */
import { AttachmentBuilder, type APIEmbed } from 'discord.js';
import { compareLabels, type MetricPoint, type RunComparison, type RunFigures } from '../../app/compare-runs.ts';
import { fitText } from './fit-text.ts';
import { formatNumber } from './format-evidence.ts';
import { epochsCell } from '../../domain/epochs.ts';

export const COMPARE_CHART_FILE = 'compare.png';

export function compareReply(c: RunComparison): { embeds: APIEmbed[]; files: AttachmentBuilder[]; components: [] } {
  const metric = c.a.metric?.name ?? c.b.metric?.name ?? 'validation metric';
  const rows: [string, string, string][] = [
    // Just the letters: the title names both runs, and names cut to a column's width often read the same.
    ['', 'A', 'B'],
    [`best ${metric}`, value(c.a.best), value(c.b.best)],
    ['epoch of best', when(c.a.best), when(c.b.best)],
    [`last ${metric}`, value(c.a.last), value(c.b.last)],
    ['final gap (val − train)', gap(c.a), gap(c.b)],
    ['epochs', epochsCell(c.a.run) ?? '–', epochsCell(c.b.run) ?? '–'],
  ];
  const widths = [0, 1, 2].map((k) => Math.max(...rows.map((r) => r[k].length)));
  const table = rows.map((r) => r.map((cell, k) => cell.padEnd(widths[k])).join('  ').trimEnd()).join('\n');
  const embed: APIEmbed = {
    title: fitText(title(c), 256),
    description: fitText(`A = \`${c.a.run.id}\` · B = \`${c.b.run.id}\`\n\`\`\`\n${table}\n\`\`\`\n${verdictLine(c)}${c.chartPng || !c.chartProblem ? '' : `\n${c.chartProblem}`}`, 4000),
    color: 0x4c78a8,
  };
  const files: AttachmentBuilder[] = [];
  if (c.chartPng) {
    embed.image = { url: `attachment://${COMPARE_CHART_FILE}` };
    files.push(new AttachmentBuilder(Buffer.from(c.chartPng), { name: COMPARE_CHART_FILE }));
  }
  return { embeds: [embed], files, components: [] };
}

/** "📊 A: resnet vs B: vit", or for two uploads of one run what tells them apart: "📊 resnet: A (100 epochs) vs B (140 epochs)". */
function title(c: RunComparison): string {
  const l = compareLabels(c.a.run, c.b.run);
  return l.sameName ? `📊 ${c.a.run.name}: A (${l.a}) vs B (${l.b})` : `📊 A: ${l.a} vs B: ${l.b}`;
}

const value = (p: MetricPoint | null) => (p ? formatNumber(p.value) : '–');
const when = (p: MetricPoint | null) => (p ? (p.epoch !== null ? `epoch ${formatNumber(p.epoch)}` : `step ${formatNumber(p.step)}`) : '–');
const gap = (f: RunFigures) => (f.finalGap === null ? '–' : formatNumber(f.finalGap));

function verdictLine(c: RunComparison): string {
  const same = continuationLine(c);
  return same ? `${same} ${rankingLine(c)}` : rankingLine(c);
}

/** "**B** continues **A**: the same val_loss over A's 100 epochs, then 40 more." */
function continuationLine(c: RunComparison): string | null {
  const k = c.continuation;
  if (!k) return null;
  const [long, short, L, S] = k.longer === 'b' ? [c.b, c.a, 'B', 'A'] : [c.a, c.b, 'A', 'B'];
  const metric = short.metric?.name ?? 'validation curve';
  const epochs = short.run.epochs !== null && long.run.epochs !== null && long.run.epochs > short.run.epochs;
  const over = epochs ? `${S}'s ${short.run.epochs} epochs, then ${long.run.epochs! - short.run.epochs!} more` : `${S}'s ${k.sharedPoints} points, then more`;
  return `**${L}** continues **${S}**: the same ${metric} over ${over}.`;
}

function rankingLine(c: RunComparison): string {
  const broken = (['A', 'B'] as const).flatMap((k) => {
    const b = (k === 'A' ? c.a : c.b).brokenLoss;
    return b ? [`**${k}** broke: its ${b.name} ended as ${b.value}.`] : [];
  });
  if (!c.a.best || !c.b.best || !c.a.metric || c.a.metric.key !== c.b.metric?.key) return [...broken, 'The runs do not share a validation metric to rank them by.'].join(' ');
  // A run that ended in NaN is not the better run for having been better before it broke.
  if (c.a.brokenLoss && !c.b.brokenLoss) return [...broken, '**B** is the run that trained to the end.'].join(' ');
  if (c.b.brokenLoss && !c.a.brokenLoss) return [...broken, '**A** is the run that trained to the end.'].join(' ');
  const lower = c.a.metric.direction === 'lower';
  const aBetter = lower ? c.a.best.value < c.b.best.value : c.a.best.value > c.b.best.value;
  const ranking = c.a.best.value === c.b.best.value ? 'Both reach the same best value.' : `**${aBetter ? 'A' : 'B'}** reaches the better best ${c.a.metric.name}${broken.length ? ' before it broke' : ''}.`;
  return [...broken, ranking].join(' ');
}
