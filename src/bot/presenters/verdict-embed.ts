/**
 * Verdict → Discord embed. Failures first, then warnings, each with its evidence and fix; passes and
 * unknowns are collapsed into one line each. Discord's embed limits (25 fields, 256/1024-char names/values,
 * 6000 chars in all) are respected by summarising whole sentences and counting what was left out.
 */
import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { ItemStatus, Verdict, VerdictItem } from '../../domain/verdict.ts';
import { fitText } from './fit-text.ts';
import { formatEvidence } from './format-evidence.ts';
import { passSummary, verdictCoverage } from '../../diagnose/verdict-coverage.ts';

export const EMBED_LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, total: 6000, footer: 2048 } as const;

export const STATUS_EMOJI: Record<ItemStatus, string> = { fail: '❌', warn: '⚠️', pass: '✅', unknown: '❔' };
const COLOR = { fail: 0xd64545, warn: 0xe8a33d, pass: 0x3fa66b } as const;
/** Grey: a pass that could check almost nothing is neither green nor a problem. */
export const TOO_LITTLE_DATA_COLOR = 0x8a8f98;
const ORDER: Record<ItemStatus, number> = { fail: 0, warn: 1, unknown: 2, pass: 3 };

export interface VerdictEmbedOptions {
  /** File name of the attached chart, shown as the embed image. */
  chartFileName?: string;
}

export function verdictEmbed(verdict: Verdict, opts: VerdictEmbedOptions = {}): APIEmbed {
  const items = [...verdict.items].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const count = (s: ItemStatus) => items.filter((i) => i.status === s).length;
  const r = verdict.run;
  const tooLittle = verdictCoverage(verdict).tooLittleToJudge;
  const title = fitText(`${tooLittle ? STATUS_EMOJI.unknown : STATUS_EMOJI[verdict.status]} ${r.name}`, EMBED_LIMITS.title);
  const facts = [r.format, `${r.points.toLocaleString('en-US')} points`, r.epochs !== null ? `${r.epochs} epochs` : null]
    .filter(Boolean)
    .join(' · ');
  const tally = [
    `${count('fail')} failing`,
    `${count('warn')} warning`,
    `${count('pass')} passed`,
    `${count('unknown')} not checked`,
  ].join(', ');
  // A pass that could check almost nothing must not read as a clean bill of health (verdictCoverage).
  const head = tooLittle ? `**TOO LITTLE DATA** · ${facts}\n${passSummary(verdict)}` : `**${verdict.status.toUpperCase()}** · ${facts}`;
  const description = fitText(`${head}\n${tally}`, 500);
  const footer = fitText(`run ${r.id}`, 200);

  let used = title.length + description.length + footer.length;
  const fields: APIEmbedField[] = [];
  const problems = items.filter((i) => i.status === 'fail' || i.status === 'warn');
  const rest = items.filter((i) => i.status === 'pass' || i.status === 'unknown');
  // Room kept for the collapsed pass/unknown lines and a "more" line, so problems never crowd them out entirely.
  const reserve = 2 * 300 + 200;
  let omitted: VerdictItem[] = [];
  for (let k = 0; k < problems.length; k++) {
    const f = problemField(problems[k]);
    const roomForFields = fields.length < EMBED_LIMITS.fields - 3;
    if (!roomForFields || used + f.name.length + f.value.length > EMBED_LIMITS.total - reserve) {
      omitted = problems.slice(k);
      break;
    }
    fields.push(f);
    used += f.name.length + f.value.length;
  }
  if (omitted.length) {
    const f = {
      name: `… ${omitted.length} more finding${omitted.length > 1 ? 's' : ''}`,
      value: fitText(omitted.map((i) => `${STATUS_EMOJI[i.status]} \`${i.id}\``).join(' '), 200),
    };
    fields.push(f);
    used += f.name.length + f.value.length;
  }
  for (const status of ['unknown', 'pass'] as const) {
    const group = rest.filter((i) => i.status === status);
    if (!group.length) continue;
    const label = status === 'pass' ? 'Passed' : 'Not checked (needs more data)';
    const f = { name: `${STATUS_EMOJI[status]} ${label} (${group.length})`, value: listIds(group, 280) };
    if (used + f.name.length + f.value.length > EMBED_LIMITS.total) break;
    fields.push(f);
    used += f.name.length + f.value.length;
  }

  const embed: APIEmbed = { title, description, color: tooLittle ? TOO_LITTLE_DATA_COLOR : COLOR[verdict.status], fields, footer: { text: footer } };
  if (opts.chartFileName) embed.image = { url: `attachment://${opts.chartFileName}` };
  return embed;
}

function problemField(item: VerdictItem): APIEmbedField {
  const name = fitText(`${STATUS_EMOJI[item.status]} ${item.title}`, EMBED_LIMITS.fieldName);
  const evidence = formatEvidence(item.evidence);
  const fix = item.fix ? `**Fix:** ${item.fix}` : '';
  // The fix is what the reader acts on: give it the larger share and shorten the evidence first.
  const fixPart = fitText(fix, 640);
  const evidencePart = evidence ? fitText(evidence, EMBED_LIMITS.fieldValue - fixPart.length - 1) : '';
  const value = [evidencePart, fixPart].filter(Boolean).join('\n') || '—';
  return { name, value: fitText(value, EMBED_LIMITS.fieldValue) };
}

function listIds(items: VerdictItem[], max: number): string {
  const out: string[] = [];
  let len = 0;
  for (let k = 0; k < items.length; k++) {
    const s = `\`${items[k].id}\``;
    const tail = ` … +${items.length - k}`;
    if (len + s.length + 1 + tail.length > max) {
      out.push(tail.trim());
      break;
    }
    out.push(s);
    len += s.length + 1;
  }
  return out.join(' ');
}
