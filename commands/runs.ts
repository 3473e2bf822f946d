/** /runs [status] [limit]: the latest runs, newest first, with their worst finding. */
import { SlashCommandBuilder } from 'discord.js';
import { listRunVerdicts } from '../src/app/list-run-verdicts.ts';
import type { RunStatus } from '../src/domain/run.ts';
import type { BotCommand } from '../src/bot/command.ts';
import { runsListEmbed } from '../src/bot/presenters/runs-list.ts';

const STATUSES: RunStatus[] = ['finished', 'running', 'crashed', 'killed', 'stalled'];

const command: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('runs')
    .setDescription('The latest training runs with their worst finding')
    .addStringOption((o) =>
      o
        .setName('status')
        .setDescription('Only runs in this state')
        .addChoices(...STATUSES.map((s) => ({ name: s, value: s })))
        .setRequired(false),
    )
    .addIntegerOption((o) => o.setName('limit').setDescription('How many (1–25, default 10)').setMinValue(1).setMaxValue(25).setRequired(false)),

  async execute(i, ctx) {
    await i.deferReply();
    const status = (i.options.getString('status') ?? undefined) as RunStatus | undefined;
    const limit = i.options.getInteger('limit') ?? 10;
    const rows = await listRunVerdicts({ store: ctx.store, reporter: ctx.reporter, alertStore: ctx.alerts.store }, { status, limit });
    await i.editReply({ embeds: [runsListEmbed(rows, { status })] });
  },
};

export default command;
