/** /diagnose run-id: the checklist verdict of a stored run, its chart, and buttons to follow up. */
import { ChannelType, MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { newestRunNamed, previousRunOf } from '../src/app/run-report.ts';
import { UserFacingError, type BotCommand, type BotContext } from '../src/bot/command.ts';
import { diagnosisReply } from '../src/bot/presenters/diagnosis-reply.ts';
import { compareReply } from '../src/bot/presenters/compare-reply.ts';
import { evidenceDetails } from '../src/bot/presenters/evidence-details.ts';
import { compareRuns, overlayChartWith } from '../src/app/compare-runs.ts';
import { runChoices } from '../src/bot/run-choices.ts';
import { threadName } from '../src/alerts/outbox-dispatcher.ts';
import { RunNotFoundError } from '../src/store/run-store.ts';

const command: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('diagnose')
    .setDescription('Diagnose a training run: checklist, evidence, fixes and the chart')
    .addStringOption((o) =>
      o.setName('run-id').setDescription("Run id or name (inside a run's thread: that run)").setAutocomplete(true).setRequired(false),
    ),

  async execute(i, ctx) {
    // First thing: Discord drops the interaction if nothing answers within 3 s.
    await i.deferReply();
    const ref = i.options.getString('run-id') ?? (await runOfThread(i, ctx));
    const report = await ctx.reporter.report(ref);
    const [previous, muted] = await Promise.all([previousRunOf(ctx.store, report.run), ctx.alerts.isMuted(report.run)]);
    // Inside a thread there is no thread to open: the button would only answer with an error.
    await i.editReply(diagnosisReply(report, { previousRunId: previous?.id, muted, threadButton: !i.channel?.isThread() }));
  },

  async autocomplete(i, ctx) {
    await i.respond(await runChoices(ctx.store, String(i.options.getFocused())));
  },

  buttons: {
    /** The evidence behind a checklist or an alert, privately, with the verdict JSON attached. */
    async details(i, ctx, [runId]) {
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      const report = await ctx.reporter.report(runId);
      await i.editReply(evidenceDetails(report.verdict));
    },

    async thread(i, ctx, [runId]) {
      const run = await summaryOf(ctx, runId);
      if (!i.inGuild() || !i.guildId) throw new UserFacingError('Threads exist only in servers.');
      const existing = await ctx.alerts.threadOf(i.guildId, run);
      if (existing) {
        await i.reply({ content: `The thread for **${run.name}** is <#${existing.threadId}>.`, flags: MessageFlags.Ephemeral });
        return;
      }
      if (i.channel?.isThread()) throw new UserFacingError('This is already a thread: a thread cannot hold another one.');
      if (i.channel?.type !== ChannelType.GuildText) throw new UserFacingError('Threads can be opened in text channels only.');
      const thread = await i.message.startThread({ name: threadName(run.name) });
      await ctx.alerts.saveThread({ guildId: i.guildId, runKey: run.name, runId: run.id, channelId: i.channelId, threadId: thread.id });
      await i.reply({ content: `Opened <#${thread.id}> for **${run.name}**: alerts for this run will go there.`, flags: MessageFlags.Ephemeral });
    },

    async mute(i, ctx, [runId]) {
      const run = await summaryOf(ctx, runId);
      await ctx.alerts.mute(run, i.user.id);
      await i.reply({ content: `🔕 Alerts muted for **${run.name}**: new findings will not ping anyone.`, flags: MessageFlags.Ephemeral });
    },

    async compare(i, ctx, [runId, previousId]) {
      await i.deferReply();
      const comparison = await compareRuns(ctx.store, previousId, runId, overlayChartWith(ctx.reporter.rasterise, ctx.log));
      await i.editReply(compareReply(comparison));
    },
  },
};

export default command;

/** Inside a run's thread, /diagnose without a run means the newest upload of that run. */
async function runOfThread(i: ChatInputCommandInteraction, ctx: BotContext): Promise<string> {
  const thread = i.channelId ? await ctx.alerts.threadById(i.channelId) : null;
  if (!thread) throw new UserFacingError('Which run? Give `run-id` (start typing a run name to pick one), or use /diagnose inside a run’s thread.');
  return (await newestRunNamed(ctx.store, thread.runKey))?.id ?? thread.runId;
}

/** A run's summary by exact id, without loading its points. */
async function summaryOf(ctx: BotContext, runId: string) {
  const run = (await ctx.store.findRuns(runId)).find((r) => r.id === runId);
  if (!run) throw new RunNotFoundError(runId);
  return run;
}
