/** /compare a b: two runs overlaid, with the best validation value, when it came, and the final gap of each. */
import { SlashCommandBuilder } from 'discord.js';
import { compareRuns, overlayChartWith } from '../src/app/compare-runs.ts';
import type { BotCommand } from '../src/bot/command.ts';
import { compareReply } from '../src/bot/presenters/compare-reply.ts';
import { runChoices } from '../src/bot/run-choices.ts';

const command: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('compare')
    .setDescription('Compare two runs: overlay chart and the differences that matter')
    .addStringOption((o) => o.setName('a').setDescription('First run (id or name)').setAutocomplete(true).setRequired(true))
    .addStringOption((o) => o.setName('b').setDescription('Second run (id or name)').setAutocomplete(true).setRequired(true)),

  async execute(i, ctx) {
    await i.deferReply();
    const comparison = await compareRuns(ctx.store, i.options.getString('a', true), i.options.getString('b', true), overlayChartWith(ctx.reporter.rasterise, ctx.log));
    await i.editReply(compareReply(comparison));
  },

  async autocomplete(i, ctx) {
    await i.respond(await runChoices(ctx.store, String(i.options.getFocused())));
  },
};

export default command;
