/** /sanity and /lrfind answers: a pass/fail list with the numbers, and the range test's chart. */
import { AttachmentBuilder, type APIEmbed } from 'discord.js';
import type { LrFindOutcome, SanityOutcome } from '../../app/custom-check.ts';
import { fmt } from '../../jobs/custom/lr-find.ts';
import { EMBED_LIMITS } from './verdict-embed.ts';
import { fitText } from './fit-text.ts';

const ICON = { pass: '✅', warn: '⚠️', fail: '❌', unknown: '❔' } as const;
const COLOR = { pass: 0x3fa66b, warn: 0xe8a33d, fail: 0xd64545 } as const;
export const LR_CHART_FILE = 'lrfind.png';

export function sanityReply(o: SanityOutcome, modelName: string, dataName: string): { embeds: APIEmbed[] } {
  const r = o.report;
  const shape = (d: number[]) => `(${d.join(', ')}${d.length === 1 ? ',' : ''})`;
  const io = r.io
    ? [
        `inputs: ${r.io.inputs.map((x) => `'${x.name}' ${shape(x.shape)}`).join(', ')}`,
        `outputs: ${r.io.outputs.map((x) => `'${x.name}' ${x.loss}${x.weight !== 1 ? ` × ${x.weight}` : ''} on ${x.targets}${x.judged ? ' (judged)' : ''}`).join('; ')}`,
      ]
    : [];
  const notes = [...io, ...o.notes];
  return {
    embeds: [
      {
        title: fitText(`${ICON[r.status]} Sanity: ${modelName} on ${dataName}`, EMBED_LIMITS.title),
        description: fitText(`**${r.status.toUpperCase()}** · ${o.source} · ${r.loss} · one batch of ${r.batch} · ${o.backend}${notes.length ? `\n${notes.map((n) => `· ${n}`).join('\n')}` : ''}`, 1500),
        color: COLOR[r.status],
        fields: r.items.map((i) => ({ name: `${ICON[i.status]} ${i.title}`, value: fitText([i.summary, i.fix ? `**Fix:** ${i.fix}` : ''].filter(Boolean).join('\n'), EMBED_LIMITS.fieldValue) })),
        footer: { text: 'runmedic sanity · loss at init vs ln K, overfit one batch, zeroed inputs' },
      },
    ],
  };
}

export function lrFindReply(o: LrFindOutcome, modelName: string, dataName: string): { embeds: APIEmbed[]; files: AttachmentBuilder[] } {
  const s = o.suggestion;
  const status = o.verdict?.status ?? (s.suggested === null ? 'warn' : 'pass');
  const lines = [
    `${o.points.length} steps of ${o.optimizer} from 1e-7${s.divergedAt !== null ? `, stopped at ${fmt(s.divergedAt)} where the loss exploded` : ' to 10'} · ${o.backend}`,
    s.suggested === null ? 'No suggestion: the loss never fell (try /sanity on the model).' : `**Suggested learning rate: ${fmt(s.suggested)}**`,
    s.suggested === null ? '' : `steepest descent at ${s.steepest === null ? '—' : fmt(s.steepest)}; loss minimum at ${fmt(s.minimum!)} (÷10: ${fmt(s.minimumOverTen!)})`,
    o.verdict ? `${ICON[o.verdict.status]} your rate ${o.verdict.summary}` : '',
  ].filter(Boolean);
  const embed: APIEmbed = {
    title: fitText(`${ICON[status]} Learning-rate range test: ${modelName} on ${dataName}`, EMBED_LIMITS.title),
    description: fitText(lines.join('\n'), 1500),
    color: COLOR[status],
    footer: { text: 'runmedic lrfind · Smith range test, rate ×(1e8)^(1/steps) a step' },
  };
  if (o.png) embed.image = { url: `attachment://${LR_CHART_FILE}` };
  return { embeds: [embed], files: o.png ? [new AttachmentBuilder(Buffer.from(o.png), { name: LR_CHART_FILE, description: 'Loss against learning rate' })] : [] };
}
