/** /alerts set channel role [events] and /alerts show: where failing runs are announced, whom to ping, for what. */
import { ChannelType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { ALERTABLE_EVENTS, parseAlertEvents } from '../src/alerts/alert-events.ts';
import { DEFAULT_ALERT_EVENTS } from '../src/alerts/alert-store.ts';
import { UserFacingError, type BotCommand, type BotContext } from '../src/bot/command.ts';
import { alertSettingsText } from '../src/bot/presenters/alert-settings.ts';
import { threadReadingText } from '../src/bot/presenters/message-diagnosis.ts';
import { RunNotFoundError } from '../src/store/run-store.ts';

const command: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('alerts')
    .setDescription('Where and whom runmedic pings when a run starts failing')
    .addSubcommand((s) =>
      s
        .setName('set')
        .setDescription('Set the alert channel, the role to ping and the findings that ping (Manage Server)')
        .addChannelOption((o) => o.setName('channel').setDescription('Channel for alerts').addChannelTypes(ChannelType.GuildText).setRequired(true))
        .addRoleOption((o) => o.setName('role').setDescription('Role to mention').setRequired(true))
        .addStringOption((o) =>
          o.setName('events').setDescription(`Finding ids, comma-separated (default: ${DEFAULT_ALERT_EVENTS.join(', ')})`).setRequired(false),
        )
        .addBooleanOption((o) =>
          o.setName('read-threads').setDescription("Read logs posted in a run's thread to update the run (needs the Message Content intent)").setRequired(false),
        ),
    )
    .addSubcommand((s) => s.setName('show').setDescription('Show the alert settings of this server')),

  async execute(i, ctx) {
    if (!i.inGuild()) throw new UserFacingError('Alerts are set per server: use this command in a server.');
    if (i.options.getSubcommand() === 'set') await set(i, ctx);
    else await show(i, ctx);
  },

  buttons: {
    /** "Ping on the next finding" on a quiet alert: one incident pinged once; a person asks for the next ping. */
    async rearm(i, ctx, [runId]) {
      if (!i.inGuild() || !i.guildId) throw new UserFacingError('Alerts are set per server.');
      const run = (await ctx.store.findRuns(runId)).find((r) => r.id === runId);
      if (!run) throw new RunNotFoundError(runId);
      await ctx.alerts.rearm(i.guildId, run, i.user.id);
      const settings = await ctx.alerts.settings(i.guildId);
      const who = settings?.roleId ? `<@&${settings.roleId}>` : 'the alert role';
      ctx.log.info({ guildId: i.guildId, runId, by: i.user.id }, 'alerts re-armed for a run');
      await i.reply({
        content: `🔔 Re-armed: the next new finding of **${run.name}** pings ${who} again (once).`,
        flags: MessageFlags.Ephemeral,
        allowedMentions: { parse: [] },
      });
    },
  },
};

export default command;

async function set(i: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  // Checked here and not only by default permissions: server admins can override those per role.
  if (!i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    throw new UserFacingError('Only members with the **Manage Server** permission can change alert settings. `/alerts show` shows them.');
  }
  const channel = i.options.getChannel('channel', true);
  const role = i.options.getRole('role', true);
  const eventsText = i.options.getString('events');
  let events: string[] | undefined;
  if (eventsText) {
    const parsed = parseAlertEvents(eventsText);
    if (parsed.unknown.length) {
      throw new UserFacingError(
        `Unknown finding id${parsed.unknown.length > 1 ? 's' : ''}: ${parsed.unknown.map((u) => `\`${u}\``).join(', ')}. Known: ${ALERTABLE_EVENTS.join(', ')}.`,
      );
    }
    if (!parsed.events.length) throw new UserFacingError('Give at least one finding id, e.g. `divergence, nan_loss, overfitting`.');
    events = parsed.events;
  }
  const settings = await ctx.alerts.configure({ guildId: i.guildId!, channelId: channel.id, roleId: role.id, events, by: i.user.id });
  const readThreads = i.options.getBoolean('read-threads');
  if (readThreads !== null && ctx.threadReading) await ctx.threadReading.setEnabled(i.guildId!, readThreads, i.user.id, ctx.now());
  ctx.log.info({ guildId: settings.guildId, channelId: settings.channelId, roleId: settings.roleId, events: settings.events, readThreads, by: i.user.id }, 'alert settings changed');
  await i.reply({ content: `✅ Saved.\n${alertSettingsText(settings)}\n${await threadsLine(i, ctx)}`, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

async function show(i: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const settings = await ctx.alerts.settings(i.guildId!);
  await i.reply({
    content: settings ? `${alertSettingsText(settings)}\n${await threadsLine(i, ctx)}` : 'No alerts are set up here yet. Someone with **Manage Server** can run `/alerts set`.',
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

/** Whether logs posted in run threads are read here (opt-in, and only with the Message Content intent). */
async function threadsLine(i: ChatInputCommandInteraction, ctx: BotContext): Promise<string> {
  return threadReadingText((await ctx.threadReading?.isEnabled(i.guildId!)) ?? false, ctx.readsMessages?.() ?? false);
}
