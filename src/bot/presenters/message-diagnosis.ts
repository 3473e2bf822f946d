/**
 * What the "Diagnose log" message command and a run thread's reading say: the private checklist with a Share
 * button, the public share, the update posted in a thread, and the one sentence when a message holds no log.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import type { LookedAt, MessageDiagnosis } from '../../app/message-logs.ts';
import type { RunReport } from '../../app/run-report.ts';
import { buttonId } from '../command.ts';
import { detailsButton, diagnosisReply, type DiagnosisReply } from './diagnosis-reply.ts';
import { fitText } from './fit-text.ts';
import { verdictEmoji } from './verdict-embed.ts';
import { plural } from '../../plural.ts';

/** The message command's name, as shown under Apps, and the routing key of its buttons. */
export const DIAGNOSE_LOG = 'Diagnose log';

const SEVERITY = { fail: 0, warn: 1, pass: 2 } as const;

/** The run whose checklist is shown: the worst of those the message held (the first among equals). */
export function shownRun(d: MessageDiagnosis): MessageDiagnosis['reviewed'][number] | undefined {
  return [...d.reviewed].sort((a, b) => SEVERITY[a.report.verdict.status] - SEVERITY[b.report.verdict.status])[0];
}

function runLine(r: MessageDiagnosis['reviewed'][number], label: string | undefined): string {
  const what = r.ingested.created ? 'stored as' : 'already stored as';
  return `${verdictEmoji(r.report.verdict)} **${r.ingested.run.name}**${label ? ` from ${label}` : ''} ${what} \`${r.ingested.run.id}\` (${plural(r.ingested.run.points, 'point')})`;
}

/** Where each run came from in the message, and how the shown one was read (the lines and templates, the names it inferred). */
function readLines(d: MessageDiagnosis, partLabels: string[], shown: RunReport, skipRuns = false): string[] {
  const lines = skipRuns ? [] : d.reviewed.slice(0, 5).map((r, k) => runLine(r, partLabels[k]));
  if (!skipRuns && d.reviewed.length > 5) lines.push(`… and ${d.reviewed.length - 5} more runs: see /runs`);
  // A guessed name (`Loss` → val_loss from the line before) is the guess most worth seeing beside the checklist.
  const notes = d.reviewed.find((r) => r.report === shown)?.ingested.notes ?? [];
  for (const note of new Set([notes[0], notes.find((n) => n.startsWith('names read as:'))])) if (note) lines.push(`-# ${note}`);
  if (d.unreadable.length) lines.push(`-# not a training log: ${d.unreadable.map((u) => u.part.label).join(', ')}`);
  if (d.reviewed.length > 1) lines.push(`The checklist below is for **${shown.run.name}**${shown.verdict.status !== 'pass' ? ', the worst of them' : ''}; /diagnose the others by id.`);
  return lines;
}

/** The private answer: the worst run's checklist and chart, Share in channel and Details. */
export function privateDiagnosis(report: RunReport, d: MessageDiagnosis, partLabels: string[], o: { sourceUrl: string; sourceMessageId: string }): DiagnosisReply {
  const lines = readLines(d, partLabels, report);
  // One run: on the line that says what was read.
  const head = d.reviewed.length === 1 ? [`Read [this message](${o.sourceUrl}): ${lines.shift()}`] : [`Read [this message](${o.sourceUrl}):`];
  const reply = diagnosisReply(report, { content: fitText([...head, ...lines].join('\n'), 1900) });
  return { ...reply, components: [privateButtons(report.run.id, o.sourceMessageId, false)] };
}

/** Share in channel (disabled once shared) and Details. */
export function privateButtons(runId: string, sourceMessageId: string, shared: boolean): ActionRowBuilder<ButtonBuilder> {
  const share = new ButtonBuilder()
    .setCustomId(buttonId(DIAGNOSE_LOG, 'share', runId, sourceMessageId))
    .setLabel(shared ? 'Shared in channel' : 'Share in channel')
    .setStyle(shared ? ButtonStyle.Secondary : ButtonStyle.Primary)
    .setEmoji('📣')
    .setDisabled(shared);
  return new ActionRowBuilder<ButtonBuilder>().addComponents(share, detailsButton(runId));
}

/** The shared copy in the channel: who shared it and which message it reads, then the checklist with the usual buttons. */
export function sharedDiagnosis(
  report: RunReport,
  o: { sharedBy: string; source?: { url: string; author: string }; previousRunId?: string | null; muted?: boolean; inThread: boolean },
): DiagnosisReply {
  const what = o.source ? `the log in [this message](${o.source.url}) by <@${o.source.author}>` : `**${report.run.name}**`;
  return diagnosisReply(report, {
    content: `<@${o.sharedBy}> shared runmedic's reading of ${what}:`,
    previousRunId: o.previousRunId,
    muted: o.muted,
    threadButton: !o.inThread,
  });
}

/** The update posted in a run's thread after reading a log posted there: one line, then the checklist. */
export function threadUpdate(report: RunReport, o: { author: string; previousRunId?: string | null; muted?: boolean; d: MessageDiagnosis; partLabels: string[] }): DiagnosisReply {
  const k = o.d.reviewed.findIndex((r) => r.report === report);
  const r = o.d.reviewed[k]!;
  const from = o.partLabels[k] ? ` from ${o.partLabels[k]}` : '';
  const head = `Read the log <@${o.author}> posted: **${report.run.name}** updated${from} (\`${r.ingested.run.id}\`, ${plural(r.ingested.run.points, 'point')}).`;
  const others = o.d.reviewed.filter((x) => x !== r).map((x) => runLine(x, o.partLabels[o.d.reviewed.indexOf(x)]));
  return diagnosisReply(report, {
    content: fitText([head, ...others, ...readLines(o.d, o.partLabels, report, true)].join('\n'), 1900),
    previousRunId: o.previousRunId,
    muted: o.muted,
    threadButton: false,
  });
}

/** One sentence: what was looked for, and what the message held. */
export function nothingToDiagnose(looked: LookedAt): string {
  const found: string[] = [];
  if (looked.codeBlocks) found.push(looked.codeBlocks === 1 ? 'its code block' : `its ${looked.codeBlocks} code blocks`);
  if (looked.text) found.push('its text');
  for (const f of looked.files.slice(0, 3)) found.push(`\`${f}\``);
  if (looked.files.length > 3) found.push(`${looked.files.length - 3} more files`);
  const held = found.length === 0 ? 'it has neither' : `${joinAnd(found)} ${found.length === 1 && !/^its \d/.test(found[0]!) ? 'does' : 'do'} not read as one`;
  const skipped = looked.skipped.length ? ` (${joinAnd(looked.skipped.slice(0, 3).map((s) => `\`${s}\``))} not read: pictures, media and files over the size limit are skipped)` : '';
  return (
    'Nothing to diagnose in this message: I looked for a training log — console output whose lines repeat with metric values ' +
    '(`loss: 0.41`, `val_acc=0.8`, `Epoch 3/20 … loss 0.5`), a Keras or Lightning CSV, a trainer_state.json or JSON lines — ' +
    `in its code blocks and text attachments (.txt, .log, .csv, .json), and ${held}${skipped}.`
  );
}

function joinAnd(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;
}

/** The /alerts line about run threads. */
export function threadReadingText(enabled: boolean, readsMessages: boolean): string {
  if (!enabled) return '**Run threads:** not read (`/alerts set … read-threads:true` lets a log posted in a run’s thread update the run)';
  if (readsMessages) return '**Run threads:** read: a code block or log file posted in a run’s thread updates that run and its checklist';
  return '**Run threads:** on, but not read yet: runmedic needs Discord’s Message Content intent, which it asks for at its next start (enable it in the Developer Portal → your app → Bot → Privileged Gateway Intents)';
}
