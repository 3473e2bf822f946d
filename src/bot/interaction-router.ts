/**
 * Sends each interaction to its command: slash commands to `execute`, message commands to `onMessage`, autocomplete to `autocomplete`,
 * buttons by the `<command>:<action>` prefix of their custom id. Errors become a short ephemeral message;
 * only unexpected ones are logged with their stack.
 */
import { MessageFlags, type Interaction, type RepliableInteraction } from 'discord.js';
import { isIngestError } from '../ingest/ingest-error.ts';
import { isRunNotFoundError } from '../store/run-store.ts';
import { UserFacingError, parseButtonId, type BotCommand, type BotContext } from './command.ts';

export async function routeInteraction(interaction: Interaction, commands: Map<string, BotCommand>, ctx: BotContext): Promise<void> {
  // Which server and shard each interaction reached: with the bot split over processes, the one process that owns it.
  ctx.log.debug({ interaction: describe(interaction), guild: interaction.guildId, shard: interaction.guild?.shardId }, 'interaction');
  try {
    if (interaction.isChatInputCommand()) {
      const cmd = commands.get(interaction.commandName);
      if (!cmd?.execute) throw new UserFacingError(`Unknown command /${interaction.commandName}.`);
      await cmd.execute(interaction, ctx);
    } else if (interaction.isMessageContextMenuCommand()) {
      const cmd = commands.get(interaction.commandName);
      if (!cmd?.onMessage) throw new UserFacingError(`Unknown command ${interaction.commandName}.`);
      await cmd.onMessage(interaction, ctx);
    } else if (interaction.isAutocomplete()) {
      const cmd = commands.get(interaction.commandName);
      if (cmd?.autocomplete) await cmd.autocomplete(interaction, ctx);
      else await interaction.respond([]);
    } else if (interaction.isButton()) {
      const parsed = parseButtonId(interaction.customId);
      const handler = parsed ? commands.get(parsed.command)?.buttons?.[parsed.action] : undefined;
      if (!parsed || !handler) throw new UserFacingError('This button is no longer supported.');
      await handler(interaction, ctx, parsed.args);
    }
  } catch (e) {
    await reportError(interaction, e, ctx);
  }
}

export function userMessageFor(e: unknown): string | null {
  if (e instanceof UserFacingError) return e.message;
  if (isIngestError(e)) return `Could not read ${e.message}`;
  if (isRunNotFoundError(e)) {
    const said = e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.';
    // A name matching several runs lists them; one matching none gets somewhere to look.
    return e.candidates.length > 1 ? said : `${said} \`/runs\` lists the stored runs; \`run-id\` suggests them as you type.`;
  }
  return null;
}

async function reportError(interaction: Interaction, e: unknown, ctx: BotContext): Promise<void> {
  const known = userMessageFor(e);
  if (!known) ctx.log.error({ err: e, interaction: describe(interaction) }, 'interaction failed');
  else ctx.log.info({ reason: known, interaction: describe(interaction) }, 'interaction refused');
  if (!interaction.isRepliable()) return;
  const content = known ?? 'Something went wrong on our side; the error was logged.';
  await replyEphemeral(interaction, content).catch((err) => ctx.log.warn({ err }, 'could not report an error to the user'));
}

/** An ephemeral answer whatever state the interaction is in (fresh, deferred, or already answered). */
export async function replyEphemeral(interaction: RepliableInteraction, content: string): Promise<void> {
  if (interaction.deferred && !interaction.replied) {
    if (interaction.ephemeral) {
      await interaction.editReply({ content, embeds: [], components: [], files: [] });
      return;
    }
    // A public "thinking…" cannot turn private: remove it and answer privately instead.
    await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  } else if (interaction.replied) {
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  }
}

function describe(i: Interaction) {
  return {
    id: i.id,
    type: i.type,
    user: i.user.id,
    command: i.isCommand() || i.isAutocomplete() ? i.commandName : undefined,
    customId: i.isButton() ? i.customId : undefined,
  };
}
