/**
 * Apps → "Diagnose log" on any message: its code blocks and text attachments read as a training log, stored as a run
 * (named by the message's first line, else its author and time) and answered privately with the checklist and the
 * chart, with a button to share it in the channel. Needs no privileged intent: the interaction carries the message.
 */
import { ApplicationCommandType, ContextMenuCommandBuilder, MessageFlags } from 'discord.js';
import { diagnoseMessage } from '../src/app/message-logs.ts';
import { previousRunOf } from '../src/app/run-report.ts';
import type { BotCommand } from '../src/bot/command.ts';
import { logMessageOf, partLabel } from '../src/bot/message-log.ts';
import { DIAGNOSE_LOG, nothingToDiagnose, privateButtons, privateDiagnosis, sharedDiagnosis, shownRun } from '../src/bot/presenters/message-diagnosis.ts';

const command: BotCommand = {
  data: new ContextMenuCommandBuilder().setName(DIAGNOSE_LOG).setType(ApplicationCommandType.Message),

  async onMessage(i, ctx) {
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const message = i.targetMessage;
    const d = await diagnoseMessage(ctx, logMessageOf(message, ctx), { maxBytes: ctx.config.ingestMaxBytes, maxRunsPerFile: ctx.config.ingestMaxRunsPerFile, alert: false });
    const shown = shownRun(d);
    if (!shown) {
      await i.editReply({ content: nothingToDiagnose(d.looked) });
      return;
    }
    ctx.log.info({ messageId: message.id, runs: d.reviewed.map((r) => r.ingested.run.id), by: i.user.id }, 'message diagnosed');
    const labels = d.reviewed.map((r) => partLabel(r.ingested.from, message));
    await i.editReply(privateDiagnosis(shown.report, d, labels, { sourceUrl: message.url, sourceMessageId: message.id }));
  },

  buttons: {
    /** The private answer posted for everyone in the channel; the private copy's button then says it was shared. */
    async share(i, ctx, [runId, sourceMessageId]) {
      const report = await ctx.reporter.report(runId);
      const [previous, muted] = await Promise.all([previousRunOf(ctx.store, report.run), ctx.alerts.isMuted(report.run)]);
      // The log's message, when it is still there, is linked and its author named.
      const source = sourceMessageId ? await i.channel?.messages.fetch(sourceMessageId).catch(() => null) : null;
      await i.update({ components: [privateButtons(runId, sourceMessageId ?? '', true)] });
      await i.followUp({
        ...sharedDiagnosis(report, { sharedBy: i.user.id, source: source ? { url: source.url, author: source.author.id } : undefined, previousRunId: previous?.id, muted, inThread: i.channel?.isThread() ?? false }),
        allowedMentions: { parse: [] },
      });
    },
  },
};

export default command;
