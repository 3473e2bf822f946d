/**
 * A digest as a Discord message: a summary embed (counts, changes, queue, the grid) and an embed of the worst
 * findings, one line each with the run's thread. Within Discord's limits: when the findings do not fit, the embed
 * says how many were left out and the full list goes along as a text attachment. An empty window is one line.
 */
import { escapeMarkdown, type APIEmbed } from 'discord.js';
import type { Digest, DigestEntry, DigestFinding, DigestRunStatus } from '../../app/build-digest.ts';
import { formatWindow } from '../../schedule/digest-options.ts';
import { EMBED_LIMITS } from './verdict-embed.ts';
import { fitText } from './fit-text.ts';
import { itemName } from '../../diagnose/item-names.ts';

export const DIGEST_GRID_FILE = 'digest.png';
export const DIGEST_FINDINGS_FILE = 'digest-findings.txt';

export interface DigestMessage {
  content?: string;
  embeds: APIEmbed[];
  files: { name: string; data: Buffer; contentType: string }[];
  allowedMentions: { parse: [] };
}

export interface DigestMessageOptions {
  /** Set when posted at start for a slot missed while down: when it was due, in which zone. */
  late?: { slotAt: number; timezone: string } | null;
  scheduleId?: string;
  /** IANA zone every time in the message is written in: the schedule's own (default UTC, as for /digest now). */
  timezone?: string;
}

const STATUS_ICON: Record<DigestRunStatus, string> = {
  failing: '❌',
  stalled: '⏸️',
  running: '🔄',
  warning: '⚠️',
  healthy: '✅',
  unknown: '❔',
};
const FINDING_TITLE_MAX = 140;
const COLOUR = { fail: 0xd64545, warn: 0xe0a030, pass: 0x3fa46a } as const;

export function digestMessage(d: Digest, opts: DigestMessageOptions = {}): DigestMessage {
  const zone = opts.timezone ?? opts.late?.timezone ?? 'UTC';
  const windowText = `last ${formatWindow(d.window.to - d.window.from)}`;
  const lateText = opts.late ? `⏰ late (due ${formatTime(opts.late.slotAt, opts.late.timezone)}) · ` : '';
  const queue = d.queuedJobs ? ` · ${plural(d.queuedJobs, 'training job')} waiting in the queue` : '';
  if (d.empty) {
    return { content: `${lateText}📭 **Run digest** · ${windowText}: no runs were active or finished in this window${queue}.`, embeds: [], files: [], allowedMentions: { parse: [] } };
  }

  const summaryLines: string[] = [countsLine(d)];
  if (d.changes) {
    const { newlyFailing, recovered } = d.changes;
    summaryLines.push('', '**Since the last digest**');
    if (!newlyFailing.length && !recovered.length) summaryLines.push('No run changed between failing and not failing.');
    if (newlyFailing.length) summaryLines.push(`🆕 Newly failing: ${nameList(newlyFailing)}`);
    if (recovered.length) summaryLines.push(`💚 Recovered: ${nameList(recovered)}`);
  }
  summaryLines.push('', d.queuedJobs ? `🧺 ${plural(d.queuedJobs, 'training job')} waiting in the queue.` : '🧺 No training jobs waiting.');
  if (!d.findings.length) summaryLines.push('', 'No failing or warning findings.');

  const summary: APIEmbed = {
    title: `${opts.late ? '⏰ ' : ''}📋 Run digest · ${windowText}${opts.late ? ' (late)' : ''}`,
    description: fitText(summaryLines.join('\n'), EMBED_LIMITS.description),
    color: d.counts.failing ? COLOUR.fail : d.counts.warning || d.counts.stalled ? COLOUR.warn : COLOUR.pass,
    footer: {
      text: fitText(
        `${formatSpan(d.window.from, d.window.to, zone)}` +
          (opts.late ? ` · due ${formatTime(opts.late.slotAt, opts.late.timezone)}, posted late because runmedic was not running` : '') +
          (opts.scheduleId ? ` · schedule ${opts.scheduleId}` : ''),
        EMBED_LIMITS.footer,
      ),
    },
  };
  const files: DigestMessage['files'] = [];
  if (d.grid) {
    summary.image = { url: `attachment://${DIGEST_GRID_FILE}` };
    files.push({ name: DIGEST_GRID_FILE, data: Buffer.from(d.grid), contentType: 'image/png' });
  } else if (d.gridProblem) {
    summary.description = fitText(`${summaryLines.join('\n')}\n\n${d.gridProblem}`, EMBED_LIMITS.description);
  }
  const embeds: APIEmbed[] = [summary];

  if (d.findings.length) {
    const lines = d.findings.map(findingLine);
    const used = embedSize(summary) + 'Worst findings'.length;
    const budget = Math.min(EMBED_LIMITS.description, EMBED_LIMITS.total - used) - 80;
    const kept: string[] = [];
    let size = 0;
    for (const line of lines) {
      if (size + line.length + 1 > budget) break;
      kept.push(line);
      size += line.length + 1;
    }
    const left = lines.length - kept.length;
    if (left > 0) {
      kept.push(`… and ${plural(left, 'more finding')}: the full list is in ${DIGEST_FINDINGS_FILE}.`);
      files.push({ name: DIGEST_FINDINGS_FILE, data: Buffer.from(d.findings.map(plainLine).join('\n') + '\n'), contentType: 'text/plain; charset=utf-8' });
    }
    embeds.push({ title: 'Worst findings', description: kept.join('\n'), color: d.findings[0]!.status === 'fail' ? COLOUR.fail : COLOUR.warn });
  }
  return { embeds, files, allowedMentions: { parse: [] } };
}

/** Only the states some run is in: "❌ 1 failing · ✅ 3 healthy", never "⏸️ 0 stalled". */
function countsLine(d: Digest): string {
  const words: Record<DigestRunStatus, string> = { failing: 'failing', stalled: 'stalled', running: 'running', warning: 'warning', healthy: 'healthy', unknown: 'unknown' };
  const parts = (Object.keys(words) as DigestRunStatus[]).filter((s) => d.counts[s] > 0).map((s) => `${STATUS_ICON[s]} ${d.counts[s]} ${words[s]}`);
  return `**${plural(d.entries.length, 'run')}**: ${parts.join(' · ')}`;
}

/** "❌ **resnet50** · Overfitting: val_loss bottomed at … · <#thread>" */
function findingLine(f: DigestFinding): string {
  const where = f.threadId ? ` · <#${f.threadId}>` : ` · \`${f.runId}\``;
  return `${f.status === 'fail' ? '❌' : '⚠️'} **${escapeMarkdown(fitText(f.runName, 60))}** · ${escapeMarkdown(fitText(namedFinding(f), FINDING_TITLE_MAX))}${where}`;
}

/** The name, then the finding; a finding that already says its name ("the run crashed") is not prefixed twice. */
function namedFinding(f: DigestFinding): string {
  const name = itemName(f.id);
  return f.title.toLowerCase().includes(name.toLowerCase()) ? f.title : `${name}: ${f.title}`;
}

function plainLine(f: DigestFinding): string {
  return `${f.status.toUpperCase()}  ${f.runName} (${f.runId})  ${namedFinding(f)} [${f.id}]`;
}

function nameList(entries: DigestEntry[]): string {
  const shown = entries.slice(0, 10).map((e) => (e.threadId ? `**${escapeMarkdown(e.name)}** (<#${e.threadId}>)` : `**${escapeMarkdown(e.name)}**`));
  return shown.join(', ') + (entries.length > 10 ? ` and ${entries.length - 10} more` : '');
}

function embedSize(e: APIEmbed): number {
  return (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "Sun 6 Dec 10:51 → Mon 7 Dec 10:51 Asia/Kathmandu": one zone, named once. */
export function formatSpan(from: number, to: number, timezone: string): string {
  return `${formatTime(from, timezone).slice(0, -timezone.length - 1)} → ${formatTime(to, timezone)}`;
}

/** "Mon 30 Nov 09:00 Europe/Berlin" */
export function formatTime(ms: number, timezone: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${f.format(new Date(ms)).replace(',', '')} ${timezone}`;
}
