/** /ingest file:<attachment> [name]: store a training log from Discord, diagnose it, ping if it is failing. */
import { SlashCommandBuilder } from 'discord.js';
import { ingestAndReview } from '../src/app/ingest-and-review.ts';
import { previousRunOf } from '../src/app/run-report.ts';
import type { BotCommand } from '../src/bot/command.ts';
import { attachmentHosts, downloadAttachment } from '../src/bot/download-attachment.ts';
import { diagnosisReply } from '../src/bot/presenters/diagnosis-reply.ts';
import { ingestSummary } from '../src/bot/presenters/ingest-summary.ts';

const command: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('ingest')
    .setDescription('Upload a training log (Keras, HF, Lightning, TensorBoard, CSV, console output, zip…) and diagnose it')
    .addAttachmentOption((o) => o.setName('file').setDescription('The log file (.csv, .json, tfevents, console output saved as .txt/.log) or a zip of logs').setRequired(true))
    .addStringOption((o) => o.setName('name').setDescription('Run name (default: from the file)').setMaxLength(100).setRequired(false)),

  async execute(i, ctx) {
    const att = i.options.getAttachment('file', true);
    const name = i.options.getString('name') ?? undefined;
    // Refused before deferring, so the refusal is private and nothing is downloaded.
    const hosts = attachmentHosts(ctx.config.discordApiBase);
    const ref = { url: att.url, name: att.name, size: att.size };
    if (att.size > ctx.config.ingestMaxBytes) await downloadAttachment(ref, ctx.config.ingestMaxBytes, hosts);
    await i.deferReply();
    const bytes = await downloadAttachment(ref, ctx.config.ingestMaxBytes, hosts);
    const reviewed = await ingestAndReview(ctx, bytes, att.name, { name, maxBytes: ctx.config.ingestMaxBytes, maxRunsPerFile: ctx.config.ingestMaxRunsPerFile, log: ctx.log });
    const first = reviewed[0];
    const [previous, muted] = await Promise.all([previousRunOf(ctx.store, first.report.run), ctx.alerts.isMuted(first.report.run)]);
    await i.editReply(diagnosisReply(first.report, { previousRunId: previous?.id, muted, content: ingestSummary(reviewed) }));
  },
};

export default command;
