/** A run report as a reply: the checklist embed, the chart as an attached PNG, and the follow-up buttons. */
import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, type APIEmbed } from 'discord.js';
import type { RunReport } from '../../app/run-report.ts';
import { buttonId } from '../command.ts';
import { verdictEmbed } from './verdict-embed.ts';

export const CHART_FILE = 'chart.png';

export interface DiagnosisReplyOptions {
  /** The earlier upload of the same run, for the Compare button. */
  previousRunId?: string | null;
  muted?: boolean;
  /** Extra lines above the embed (e.g. "Stored as r_… from train.csv"). */
  content?: string;
  /** False for a reply posted inside a thread, where a thread cannot be opened (no Open thread button). */
  threadButton?: boolean;
}

export interface DiagnosisReply {
  content?: string;
  embeds: APIEmbed[];
  files: AttachmentBuilder[];
  components: ActionRowBuilder<ButtonBuilder>[];
}

export function diagnosisReply(report: RunReport, opts: DiagnosisReplyOptions = {}): DiagnosisReply {
  const runId = report.run.id;
  const buttons = [
    detailsButton(runId),
    ...(opts.threadButton === false ? [] : [new ButtonBuilder().setCustomId(buttonId('diagnose', 'thread', runId)).setLabel('Open thread').setStyle(ButtonStyle.Secondary).setEmoji('🧵')]),
    new ButtonBuilder()
      .setCustomId(buttonId('diagnose', 'mute', runId))
      .setLabel(opts.muted ? 'Alerts muted for this run' : 'Mute alerts for this run')
      .setStyle(ButtonStyle.Secondary)
      .setEmoji('🔕')
      .setDisabled(Boolean(opts.muted)),
  ];
  if (opts.previousRunId) {
    buttons.push(
      new ButtonBuilder()
        .setCustomId(buttonId('diagnose', 'compare', runId, opts.previousRunId))
        .setLabel('Compare with previous run')
        .setStyle(ButtonStyle.Primary)
        .setEmoji('📊'),
    );
  }
  // A chart that could not be drawn leaves the checklist whole, with one sentence where the picture would be.
  const png = report.chartPng;
  const content = [opts.content, png ? null : (report.chartProblem ?? 'No chart this time: it could not be drawn; the checklist does not depend on it.')].filter(Boolean).join('\n');
  return {
    ...(content ? { content } : {}),
    embeds: [verdictEmbed(report.verdict, png ? { chartFileName: CHART_FILE } : {})],
    files: png ? [new AttachmentBuilder(Buffer.from(png), { name: CHART_FILE, description: `Curves of ${report.run.name}` })] : [],
    components: [new ActionRowBuilder<ButtonBuilder>().addComponents(buttons)],
  };
}

/** The button that shows a run's evidence privately (evidence-details.ts); on checklists and on alerts. */
export function detailsButton(runId: string): ButtonBuilder {
  return new ButtonBuilder().setCustomId(buttonId('diagnose', 'details', runId)).setLabel('Details').setStyle(ButtonStyle.Secondary).setEmoji('🔎');
}
