/** A Discord message as src/app/message-logs.ts reads it (the "Diagnose log" command and run threads share it). */
import type { Message } from 'discord.js';
import type { LogMessage } from '../app/message-logs.ts';
import type { BotContext } from './command.ts';
import { attachmentHosts, downloadAttachment } from './download-attachment.ts';

/** Attachments are downloaded only from Discord's file server, within INGEST_MAX_BYTES. */
export function logMessageOf(message: Message, ctx: Pick<BotContext, 'config'>): LogMessage {
  const hosts = attachmentHosts(ctx.config.discordApiBase);
  return {
    content: message.content,
    authorName: message.member?.displayName ?? message.author.displayName ?? message.author.username,
    createdAt: message.createdTimestamp,
    attachments: [...message.attachments.values()].map((a) => ({
      name: a.name,
      size: a.size,
      contentType: a.contentType,
      download: () => downloadAttachment({ url: a.url, name: a.name, size: a.size }, ctx.config.ingestMaxBytes, hosts),
    })),
  };
}

/** The code block or file a stored run came from (IngestedRun.from), as a reply names it. */
export function partLabel(from: string, message: Pick<Message, 'content'>): string {
  const block = /^code-block-(\d+)\.txt$/.exec(from);
  if (block) return [...message.content.matchAll(/```/g)].length > 2 ? `code block ${block[1]}` : 'the code block';
  if (from === 'message.txt') return 'the message text';
  return `\`${from}\``;
}
