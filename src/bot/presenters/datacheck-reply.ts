/**
 * A data-check report as a Discord reply: an embed with each problem (its sentence, up to two examples, the fix),
 * the passes in one line, the most suspicious labels as a short table, and the contact sheet of suspected image
 * label errors as the embed's picture. Within Discord's embed limits (fitText keeps whole sentences).
 */
import { AttachmentBuilder, type APIEmbed, type APIEmbedField } from 'discord.js';
import type { DataCheckReport } from '../../datacheck/index.ts';
import { STATUS_ORDER } from '../../datacheck/item.ts';
import { EMBED_LIMITS, STATUS_EMOJI } from './verdict-embed.ts';
import { fitText } from './fit-text.ts';

export const SHEET_FILE = 'label-errors.png';
const COLOR = { fail: 0xd64545, warn: 0xe8a33d, pass: 0x3fa66b } as const;
/** Suspects listed in the embed (the sheet shows up to 24). */
const LISTED = 8;

export interface DataCheckReply {
  content?: string;
  embeds: APIEmbed[];
  files: AttachmentBuilder[];
}

export function dataCheckReply(r: DataCheckReport, sheetPng: Uint8Array | null, sheetProblem: string | null): DataCheckReply {
  const problems = r.items.filter((i) => i.status === 'fail' || i.status === 'warn').sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
  const passed = r.items.filter((i) => i.status === 'pass');
  const unknown = r.items.filter((i) => i.status === 'unknown');
  const shape = r.kind === 'images' ? `${r.inputShape.join('×')} images` : `${r.inputShape[0]} features`;
  const split = r.validationSize ? `${r.trainSize.toLocaleString('en-US')} training + ${r.validationSize.toLocaleString('en-US')} validation` : `${r.examples.toLocaleString('en-US')} examples`;
  const fails = problems.filter((p) => p.status === 'fail').length;
  const warns = problems.length - fails;
  const tally = [fails ? `${fails} failing` : null, warns ? `${warns} warning${warns > 1 ? 's' : ''}` : null, `${passed.length} passed`].filter(Boolean).join(', ');
  const notes = r.notes.length ? `\n${fitText(r.notes.map((n) => `· ${n}`).join('\n'), 600)}` : '';
  const description = fitText(`**${r.status.toUpperCase()}** · ${split} · ${shape} · ${r.classes.length} classes\n${tally}`, 400) + notes;
  const fields: APIEmbedField[] = [];
  for (const p of problems.slice(0, 10)) {
    const examples = p.id === 'label_noise' ? [] : (p.examples ?? []).slice(0, 2).map((e) => `e.g. ${e}`);
    const fix = p.fix ? fitText(`**Fix:** ${p.fix}`, 400) : '';
    const value = [fitText(p.summary, 500), ...examples.map((e) => fitText(e, 120)), fix].filter(Boolean).join('\n');
    fields.push({ name: fitText(`${STATUS_EMOJI[p.status]} ${p.title}`, EMBED_LIMITS.fieldName), value: fitText(value, EMBED_LIMITS.fieldValue) });
  }
  if (r.suspects.length) {
    const rows = r.suspects.slice(0, LISTED);
    const width = Math.min(24, Math.max(...rows.map((s) => s.name.length)));
    const table = rows.map((s) => `${s.name.slice(0, 24).padEnd(width)}  ${s.given} → ${s.suggested}  (p ${s.givenProb.toFixed(2)} → ${s.suggestedProb.toFixed(2)})`).join('\n');
    fields.push({ name: `🔎 Most suspicious labels (${rows.length} of ${r.flagged})`, value: fitText(`\`\`\`\n${table}\n\`\`\``, EMBED_LIMITS.fieldValue - 4).replace(/ …$/, '\n```') });
  }
  if (passed.length) fields.push({ name: `${STATUS_EMOJI.pass} Passed (${passed.length})`, value: fitText(passed.map((p) => p.title).join(' · '), 300) });
  if (unknown.length) fields.push({ name: `${STATUS_EMOJI.unknown} Not checked (${unknown.length})`, value: fitText(unknown.map((u) => `${u.title}: ${u.summary}`).join('\n'), 400) });
  const embed: APIEmbed = {
    title: fitText(`${STATUS_EMOJI[r.status]} Data check: ${r.source}`, EMBED_LIMITS.title),
    description,
    color: COLOR[r.status],
    fields,
    footer: { text: 'runmedic datacheck · confident learning: 5-fold out-of-sample probabilities, per-class thresholds' },
  };
  if (sheetPng) embed.image = { url: `attachment://${SHEET_FILE}` };
  return {
    ...(sheetProblem ? { content: `No contact sheet this time: ${sheetProblem}` } : {}),
    embeds: [embed],
    files: sheetPng ? [new AttachmentBuilder(Buffer.from(sheetPng), { name: SHEET_FILE, description: `Suspected label errors in ${r.source}` })] : [],
  };
}
