/**
 * The Details view of a verdict (the Details button under a checklist or an alert): each problem's evidence, key by
 * key, and the whole verdict JSON attached. Shown privately to whoever asked, so the channel keeps the short form.
 */
import { AttachmentBuilder, type APIEmbed, type APIEmbedField } from 'discord.js';
import type { ItemStatus, Verdict, VerdictItem } from '../../domain/verdict.ts';
import { checklistView } from '../../app/checklist-view.ts';
import { itemName } from '../../diagnose/item-names.ts';
import { fitText } from './fit-text.ts';
import { evidenceLines } from './format-evidence.ts';
import { EMBED_LIMITS, STATUS_EMOJI } from './verdict-embed.ts';

export function evidenceDetails(verdict: Verdict): { embeds: APIEmbed[]; files: AttachmentBuilder[] } {
  const view = checklistView(verdict);
  const fields: APIEmbedField[] = [];
  let used = 0;
  const shown = view.problems.flatMap((p) => [p.item, ...p.alsoExplains]);
  for (const item of shown) {
    const lines = evidenceLines(item.evidence);
    const marks = item.marks.map((m) => `chart: ${m.label} (${m.series}, step ${m.step}${m.toStep !== undefined ? `–${m.toStep}` : ''})`);
    const prefix = item.explainedBy ? `↳ ${STATUS_EMOJI[foldedStatus(item)]}` : STATUS_EMOJI[item.status];
    const f = {
      name: fitText(`${prefix} ${itemName(item.id)} · \`${item.id}\``, EMBED_LIMITS.fieldName),
      value: fitText('```\n' + fitText([...lines, ...marks].join('\n') || '(no evidence recorded)', EMBED_LIMITS.fieldValue - 8) + '\n```', EMBED_LIMITS.fieldValue),
    };
    if (fields.length >= EMBED_LIMITS.fields - 1 || used + f.name.length + f.value.length > EMBED_LIMITS.total - 400) break;
    fields.push(f);
    used += f.name.length + f.value.length;
  }
  const file = `${verdict.run.id}-verdict.json`;
  const embed: APIEmbed = {
    title: fitText(`🔎 Evidence · ${verdict.run.name}`, EMBED_LIMITS.title),
    description: shown.length
      ? `What each finding was read from. The full verdict, passes included, is in ${file}.`
      : `No failing or warning findings. The full verdict is in ${file}.`,
    color: 0x4c78a8,
    fields,
    footer: { text: `run ${verdict.run.id}` },
  };
  const json = JSON.stringify(verdict, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  return { embeds: [embed], files: [new AttachmentBuilder(Buffer.from(json), { name: file, description: `Verdict of ${verdict.run.name}` })] };
}

/**
 * A finding folded under the one that explains it passes in the verdict, but its evidence is still the problem it was
 * (a 60-point generalization gap): shown with the mark it had before folding, so Details never ticks it green.
 */
function foldedStatus(item: VerdictItem): ItemStatus {
  const before = item.evidence.statusBefore;
  return before === 'fail' || before === 'warn' ? before : item.status;
}
