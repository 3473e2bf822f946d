/** /datacheck data:<attachment> [label]: the data checklist of an uploaded data file, with the suspected label errors. */
import { SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/bot/command.ts';
import { UserFacingError } from '../src/bot/command.ts';
import { attachmentHosts, downloadAttachment } from '../src/bot/download-attachment.ts';
import { checkDataFileInChild, DataCheckFailed } from '../src/app/data-check-process.ts';
import { dataCheckReply } from '../src/bot/presenters/datacheck-reply.ts';

const command: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('datacheck')
    .setDescription('Check training data: balance, duplicates, leakage, conflicts, scale, likely label errors')
    .addAttachmentOption((o) => o.setName('data').setDescription('A CSV with a label column, an .npz holding x and y, or a zip of class folders of images').setRequired(true))
    .addStringOption((o) => o.setName('label').setDescription('The CSV column holding the label (default: label, class, target, y …, else the last)').setMaxLength(100).setRequired(false)),

  async execute(i, ctx) {
    const att = i.options.getAttachment('data', true);
    const label = i.options.getString('label') ?? undefined;
    const hosts = attachmentHosts(ctx.config.discordApiBase);
    const ref = { url: att.url, name: att.name, size: att.size };
    // Refused before deferring, so the refusal is private and nothing is downloaded.
    if (att.size > ctx.config.ingestMaxBytes) await downloadAttachment(ref, ctx.config.ingestMaxBytes, hosts);
    await i.deferReply();
    const bytes = await downloadAttachment(ref, ctx.config.ingestMaxBytes, hosts);
    let result;
    try {
      result = await checkDataFileInChild(bytes, { fileName: att.name, maxBytes: ctx.config.ingestMaxBytes, labelColumn: label, sheet: true });
    } catch (e) {
      if (e instanceof DataCheckFailed) {
        ctx.log.error({ file: att.name, err: e.message }, 'data check failed');
        throw new UserFacingError(`Could not check ${att.name}: ${e.message}.`);
      }
      throw e;
    }
    await i.editReply(dataCheckReply(result.report, result.sheetPng, result.sheetProblem));
  },
};

export default command;
