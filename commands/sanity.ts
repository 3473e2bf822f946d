/** /sanity model:<file> data:<file> [loss] [label]: the sanity checks on a team's own model (issue 19). */
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserFacingError, type BotCommand, type BotContext } from '../src/bot/command.ts';
import { attachmentHosts, downloadAttachment } from '../src/bot/download-attachment.ts';
import { CustomCheckFailed, runCustomCheckInChild } from '../src/app/custom-check-process.ts';
import type { CustomInputs, SanityOutcome } from '../src/app/custom-check.ts';
import { sanityReply } from '../src/bot/presenters/custom-check-reply.ts';
import { mayTrain } from './train.ts';

/** The model and data attachments, refused before deferring when too large; the role gate of /train. */
export async function customInputs(i: ChatInputCommandInteraction, ctx: BotContext): Promise<CustomInputs> {
  if (!mayTrain(i, ctx.config.trainRoleId)) {
    throw new UserFacingError(ctx.config.trainRoleId ? `Training jobs need the <@&${ctx.config.trainRoleId}> role or Manage Server.` : 'Training jobs need Manage Server (no training role is set: ask an admin to set TRAIN_ROLE_ID).');
  }
  const model = i.options.getAttachment('model', true);
  const data = i.options.getAttachment('data', true);
  const hosts = attachmentHosts(ctx.config.discordApiBase);
  const max = ctx.config.ingestMaxBytes;
  const refs = [model, data].map((a) => ({ url: a.url, name: a.name, size: a.size }));
  for (const r of refs) if (r.size > max) await downloadAttachment(r, max, hosts);
  await i.deferReply();
  const [modelBytes, dataBytes] = await Promise.all(refs.map((r) => downloadAttachment(r, max, hosts)));
  return { modelBytes: modelBytes!, modelName: model.name, dataBytes: dataBytes!, dataName: data.name, maxBytes: max, labelColumn: i.options.getString('label') ?? undefined };
}

export function failedCheck(e: unknown, what: string, ctx: BotContext): never {
  if (e instanceof CustomCheckFailed) {
    ctx.log.error({ err: e.message }, `${what} failed`);
    throw new UserFacingError(`The ${what} did not finish: ${e.message}.`);
  }
  throw e;
}

const command: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('sanity')
    .setDescription('Sanity-check your model on your data: loss at init vs ln K, overfit one batch, zeroed inputs')
    .addAttachmentOption((o) => o.setName('model').setDescription('Keras model.to_json() (Keras 2 or 3) or a TensorFlow.js model.json').setRequired(true))
    .addAttachmentOption((o) => o.setName('data').setDescription('A CSV with a label column, an .npz holding x and y, or a zip of class folders').setRequired(true))
    .addStringOption((o) => o.setName('loss').setDescription('The loss (default: cross-entropy)').addChoices({ name: 'cross-entropy', value: 'crossentropy' }, { name: 'mean squared error', value: 'mse' }).setRequired(false))
    .addStringOption((o) => o.setName('label').setDescription('The CSV column holding the label').setMaxLength(100).setRequired(false)),

  async execute(i, ctx) {
    const inputs = await customInputs(i, ctx);
    // Only a loss given: a model with several outputs takes each output's loss from its compile config.
    const loss = (i.options.getString('loss') ?? undefined) as 'crossentropy' | 'mse' | undefined;
    const outcome = (await runCustomCheckInChild({ kind: 'sanity', inputs, loss }).catch((e) => failedCheck(e, 'sanity check', ctx))) as SanityOutcome;
    await i.editReply(sanityReply(outcome, inputs.modelName, inputs.dataName));
  },
};

export default command;
