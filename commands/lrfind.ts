/** /lrfind model:<file> data:<file> [lr] [optimizer] [label]: the learning-rate range test on a team's own model (issue 19). */
import { SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/bot/command.ts';
import { runCustomCheckInChild } from '../src/app/custom-check-process.ts';
import type { LrFindOutcome } from '../src/app/custom-check.ts';
import { lrFindReply } from '../src/bot/presenters/custom-check-reply.ts';
import { customInputs, failedCheck } from './sanity.ts';
import { rangeTestKey, rememberRangeTest, sha256Of } from '../src/app/lr-find-results.ts';
import { OPTIMIZER_NAMES as RATE_OPTIMIZERS, type OptimizerName as RateOptimizerName } from '../src/jobs/job-config.ts';

const command: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('lrfind')
    .setDescription('Learning-rate range test of your model on your data: loss vs rate and a suggested rate')
    .addAttachmentOption((o) => o.setName('model').setDescription('Keras model.to_json() (Keras 2 or 3) or a TensorFlow.js model.json').setRequired(true))
    .addAttachmentOption((o) => o.setName('data').setDescription('A CSV with a label column, an .npz holding x and y, or a zip of class folders').setRequired(true))
    .addNumberOption((o) => o.setName('lr').setDescription('A rate you plan to train with, judged against the test').setMinValue(1e-12).setRequired(false))
    .addStringOption((o) => o.setName('optimizer').setDescription('adam (default), sgd, momentum or rmsprop: the one you train with').addChoices(...RATE_OPTIMIZERS.map((o) => ({ name: o, value: o }))).setRequired(false))
    .addStringOption((o) => o.setName('label').setDescription('The CSV column holding the label').setMaxLength(100).setRequired(false)),

  async execute(i, ctx) {
    const inputs = await customInputs(i, ctx);
    const planned = i.options.getNumber('lr') ?? undefined;
    const optimizer = (i.options.getString('optimizer') ?? 'adam') as RateOptimizerName;
    const outcome = (await runCustomCheckInChild({ kind: 'lrfind', inputs, planned, optimizer }).catch((e) => failedCheck(e, 'range test', ctx))) as LrFindOutcome;
    // A /train job on the same files whose checklist blames its rate reruns with this suggestion (Rerun with fix).
    // Kept in the database: a rerun in any process (another shard, the bot after a restart) finds it.
    if (ctx.jobs) {
      const key = rangeTestKey(sha256Of(inputs.modelBytes), sha256Of(inputs.dataBytes), inputs.labelColumn ?? null, optimizer);
      await rememberRangeTest(ctx.jobs.rangeTests, key, outcome.suggestion.suggested, 'lrfind', ctx.now()).catch((err: unknown) => ctx.log.warn({ err }, 'could not store a range test result'));
    }
    await i.editReply(lrFindReply(outcome, inputs.modelName, inputs.dataName));
  },
};

export default command;
