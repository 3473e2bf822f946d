/**
 * Run threads, read when a server opted in (`/alerts set … read-threads:true`): a code block or a log file posted
 * in a run's thread that reads as a training log is stored as a new upload of that run, its verdict recorded (new
 * findings go to the thread as any alert does) and its checklist posted in the thread. Everything else posted there
 * is left alone, and nothing outside run threads is read. Needs the Message Content intent (bot.ts asks for it
 * only when some server opted in).
 */
import { Events, type Client, type Message } from 'discord.js';
import { diagnoseMessage } from '../app/message-logs.ts';
import { previousRunOf } from '../app/run-report.ts';
import type { BotContext } from './command.ts';
import { logMessageOf, partLabel } from './message-log.ts';
import { shownRun, threadUpdate } from './presenters/message-diagnosis.ts';

export function attachThreadReader(client: Client, ctx: BotContext): void {
  client.on(Events.MessageCreate, (message) => {
    void readThreadMessage(message, ctx).catch((err: unknown) => ctx.log.error({ err, messageId: message.id, channelId: message.channelId }, 'could not read a message in a run thread'));
  });
}

export async function readThreadMessage(message: Message, ctx: BotContext): Promise<void> {
  if (message.author.bot || message.system || !message.inGuild() || !message.channel.isThread()) return;
  if (!message.content.includes('```') && message.attachments.size === 0) return;
  if (!(await ctx.threadReading?.isEnabled(message.guildId))) return;
  const thread = await ctx.alerts.threadById(message.channelId);
  if (!thread || thread.guildId !== message.guildId) return;
  const d = await diagnoseMessage(ctx, logMessageOf(message, ctx), {
    name: thread.runKey,
    maxBytes: ctx.config.ingestMaxBytes,
    maxRunsPerFile: ctx.config.ingestMaxRunsPerFile,
    alert: true,
  });
  const first = shownRun(d);
  // A message that holds no training log is conversation: no answer.
  if (!first) return;
  ctx.log.info({ threadId: thread.threadId, runKey: thread.runKey, runs: d.reviewed.map((r) => r.ingested.run.id), by: message.author.id }, 'run thread log read');
  const [previous, muted] = await Promise.all([previousRunOf(ctx.store, first.report.run), ctx.alerts.isMuted(first.report.run)]);
  const labels = d.reviewed.map((r) => partLabel(r.ingested.from, message));
  await message.reply({ ...threadUpdate(first.report, { author: message.author.id, previousRunId: previous?.id, muted, d, partLabels: labels }), allowedMentions: { parse: [], repliedUser: false } });
}
