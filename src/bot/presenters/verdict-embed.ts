/**
 * Verdict → Discord embed. Each problem is a field led by its plain name ("❌ Overfitting"), then the engine's
 * one-line finding, the findings it explains folded under it, and the fix. Evidence is not dumped here: the Details
 * button shows it (evidence-details.ts). Passes and not-checkable items are one line of names each. Discord's embed
 * limits (25 fields, 256/1024-char names/values, 6000 chars in all) are respected by summarising whole sentences and
 * counting what was left out.
 */
import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { ItemStatus, Verdict } from '../../domain/verdict.ts';
import { alsoExplainsText, checklistView, namesLine, type ProblemLine } from '../../app/checklist-view.ts';
import { fitText } from './fit-text.ts';
import { plural } from '../../plural.ts';
import { passSummary, verdictCoverage } from '../../diagnose/verdict-coverage.ts';
import { describeEpochs } from '../../domain/epochs.ts';

export const EMBED_LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, total: 6000, footer: 2048 } as const;

export const STATUS_EMOJI: Record<ItemStatus, string> = { fail: '❌', warn: '⚠️', pass: '✅', unknown: '❔' };
const COLOR = { fail: 0xd64545, warn: 0xe8a33d, pass: 0x3fa66b } as const;
/** Grey: a pass that could check almost nothing is neither green nor a problem. */
export const TOO_LITTLE_DATA_COLOR = 0x8a8f98;

/** A verdict's mark wherever a run is listed: a pass that could check almost nothing is ❔, not ✅ (verdictCoverage). */
export function verdictEmoji(verdict: Verdict): string {
  return verdictCoverage(verdict).tooLittleToJudge ? STATUS_EMOJI.unknown : STATUS_EMOJI[verdict.status];
}

export interface VerdictEmbedOptions {
  /** File name of the attached chart, shown as the embed image. */
  chartFileName?: string;
}

export function verdictEmbed(verdict: Verdict, opts: VerdictEmbedOptions = {}): APIEmbed {
  const view = checklistView(verdict);
  const r = verdict.run;
  const tooLittle = verdictCoverage(verdict).tooLittleToJudge;
  const title = fitText(`${verdictEmoji(verdict)} ${r.name}`, EMBED_LIMITS.title);
  const facts = [r.format, plural(r.points, 'point'), describeEpochs(r)].filter(Boolean).join(' · ');
  const fails = view.problems.filter((p) => p.item.status === 'fail').length;
  const warns = view.problems.length - fails;
  const tally = [fails ? `${fails} failing` : null, warns ? `${warns} warning${warns > 1 ? 's' : ''}` : null, `${view.passed.length} passed`, view.unknown.length ? `${view.unknown.length} not checked` : null]
    .filter(Boolean)
    .join(', ');
  // A pass that could check almost nothing must not read as a clean bill of health (verdictCoverage).
  const head = tooLittle ? `**TOO LITTLE DATA** · ${facts}\n${passSummary(verdict)}` : `**${verdict.status.toUpperCase()}** · ${facts}`;
  const description = fitText(`${head}\n${tally}`, 500);
  const footer = fitText(`run ${r.id}${view.problems.length ? ' · Details shows the evidence' : ''}`, 200);

  let used = title.length + description.length + footer.length;
  const fields: APIEmbedField[] = [];
  // Room kept for the collapsed pass/unknown lines and a "more" line, so problems never crowd them out entirely.
  const reserve = 2 * 300 + 200;
  let omitted: ProblemLine[] = [];
  for (let k = 0; k < view.problems.length; k++) {
    const f = problemField(view.problems[k]!);
    const roomForFields = fields.length < EMBED_LIMITS.fields - 3;
    if (!roomForFields || used + f.name.length + f.value.length > EMBED_LIMITS.total - reserve) {
      omitted = view.problems.slice(k);
      break;
    }
    fields.push(f);
    used += f.name.length + f.value.length;
  }
  if (omitted.length) {
    const f = {
      name: `… ${omitted.length} more finding${omitted.length > 1 ? 's' : ''}`,
      value: fitText(omitted.map((p) => `${STATUS_EMOJI[p.item.status]} ${p.name}`).join(' · '), 200),
    };
    fields.push(f);
    used += f.name.length + f.value.length;
  }
  const groups = [
    { items: view.passed, name: `${STATUS_EMOJI.pass} Passed (${view.passed.length})`, lead: 'No sign of: ' },
    { items: view.unknown, name: `${STATUS_EMOJI.unknown} Not checked: needs more data (${view.unknown.length})`, lead: '' },
  ];
  for (const g of groups) {
    if (!g.items.length) continue;
    // About two lines of an embed: a pointer to what was looked at, not a wall of names (Details and --all have them).
    const f = { name: g.name, value: g.lead + namesLine(g.items, 120 - g.lead.length) };
    if (used + f.name.length + f.value.length > EMBED_LIMITS.total) break;
    fields.push(f);
    used += f.name.length + f.value.length;
  }

  const embed: APIEmbed = { title, description, color: tooLittle ? TOO_LITTLE_DATA_COLOR : COLOR[verdict.status], fields, footer: { text: footer } };
  if (opts.chartFileName) embed.image = { url: `attachment://${opts.chartFileName}` };
  return embed;
}

/** "❌ Overfitting" over the finding, what it explains, and the fix (the fix gets the larger share of the room). */
function problemField(p: ProblemLine): APIEmbedField {
  const name = fitText(`${STATUS_EMOJI[p.item.status]} ${p.name}`, EMBED_LIMITS.fieldName);
  const fixPart = p.item.fix ? fitText(`**Fix:** ${p.item.fix}`, 600) : '';
  const explains = alsoExplainsText(p);
  const findingPart = fitText(p.item.title, EMBED_LIMITS.fieldValue - fixPart.length - explains.length - 2);
  const value = [findingPart, explains, fixPart].filter(Boolean).join('\n') || '—';
  return { name, value: fitText(value, EMBED_LIMITS.fieldValue) };
}
