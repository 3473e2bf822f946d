/** /runs as an embed: one line per run with a status emoji, name, format, epochs and the worst finding. */
import type { APIEmbed } from 'discord.js';
import type { RunWithVerdict } from '../../app/list-run-verdicts.ts';
import type { VerdictItem } from '../../domain/verdict.ts';
import { fitText } from './fit-text.ts';
import { itemName } from '../../diagnose/item-names.ts';
import { verdictEmoji } from './verdict-embed.ts';
import { epochsCell } from '../../domain/epochs.ts';

export function runsListEmbed(rows: RunWithVerdict[], filter: { status?: string }): APIEmbed {
  if (!rows.length) {
    return { title: 'Runs', description: filter.status ? `No ${filter.status} runs.` : 'No runs yet: upload a log with /ingest.', color: 0x888888 };
  }
  const lines: string[] = [];
  let used = 0;
  for (const { run, verdict } of rows) {
    const emoji = verdict ? verdictEmoji(verdict) : '❔';
    const worst = verdict ? worstFinding(verdict.items) : null;
    // "30 ep", or the range when the log's numbering starts later ("ep 24–55"): never a count from 0 nobody logged.
    const cell = epochsCell(run);
    const epochs = cell === null ? `${run.points.toLocaleString('en-US')} pts` : cell === String(run.epochs) ? `${cell} ep` : `ep ${cell}`;
    const name = worst ? itemName(worst.id) : '';
    const finding = worst ? ` — ${worst.status === 'fail' ? `**${name}**` : name}` : '';
    const line = fitText(`${emoji} **${run.name}** · ${run.source.format} · ${epochs}${finding} · \`${run.id}\``, 300);
    if (used + line.length + 1 > 3900) {
      lines.push(`… ${rows.length - lines.length} more`);
      break;
    }
    lines.push(line);
    used += line.length + 1;
  }
  return {
    title: filter.status ? `Latest ${filter.status} runs` : 'Latest runs',
    description: lines.join('\n'),
    color: 0x4c78a8,
    footer: { text: '/diagnose run-id:<id> for the checklist' },
  };
}

function worstFinding(items: VerdictItem[]): VerdictItem | null {
  return items.find((i) => i.status === 'fail') ?? items.find((i) => i.status === 'warn') ?? null;
}
