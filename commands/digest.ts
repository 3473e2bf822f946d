/** /digest schedule | list | remove | now: run-health digests on a cron schedule, or one now. */
import { ChannelType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserFacingError, type BotCommand, type BotContext } from '../src/bot/command.ts';
import { digestMessage, formatTime } from '../src/bot/presenters/digest-message.ts';
import { DigestLimitError, MAX_SCHEDULES_PER_GUILD, type Digests } from '../src/app/digests.ts';
import { checkScheduleInput, DEFAULT_WINDOW, formatWindow, MIN_INTERVAL_MS, parseWindow } from '../src/schedule/digest-options.ts';

const command: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('digest')
    .setDescription('Run-health digests: every run of a time window, the worst findings, what changed')
    .addSubcommand((s) =>
      s
        .setName('schedule')
        .setDescription('Post a digest on a cron schedule (Manage Server)')
        .addStringOption((o) =>
          o
            .setName('cron')
            .setDescription(`Cron (minute hour day month weekday), e.g. 0 9 * * 1-5; at least ${MIN_INTERVAL_MS / 60_000} min between digests`)
            .setRequired(true)
            .setMaxLength(100),
        )
        .addChannelOption((o) => o.setName('channel').setDescription('Channel to post in').addChannelTypes(ChannelType.GuildText).setRequired(true))
        .addStringOption((o) => o.setName('timezone').setDescription('IANA time zone of the cron, e.g. Europe/Berlin (default UTC)').setMaxLength(64))
        .addStringOption((o) => o.setName('window').setDescription('How far back each digest looks: 30m, 24h, 7d (default 24h)').setMaxLength(16)),
    )
    .addSubcommand((s) => s.setName('list').setDescription('The digest schedules of this server'))
    .addSubcommand((s) =>
      s
        .setName('remove')
        .setDescription('Remove a digest schedule (Manage Server)')
        .addStringOption((o) => o.setName('id').setDescription('Schedule id from /digest list').setRequired(true).setMaxLength(40)),
    )
    .addSubcommand((s) =>
      s
        .setName('now')
        .setDescription('A digest of the last hours, here and now')
        .addStringOption((o) => o.setName('window').setDescription('How far back: 30m, 24h, 7d (default 24h)').setMaxLength(16)),
    ),

  async execute(i, ctx) {
    if (!i.inGuild()) throw new UserFacingError('Digests are per server: use this command in a server.');
    const digests = ctx.digests;
    if (!digests) throw new UserFacingError('Digests are not enabled on this runmedic.');
    const sub = i.options.getSubcommand();
    if (sub === 'schedule') await schedule(i, ctx, digests);
    else if (sub === 'list') await list(i, digests);
    else if (sub === 'remove') await remove(i, ctx, digests);
    else await now(i, digests);
  },
};

export default command;

function requireManager(i: ChatInputCommandInteraction, what: string): void {
  // Checked here and not only by default permissions: server admins can override those per role.
  if (!i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    throw new UserFacingError(`Only members with the **Manage Server** permission can ${what}. \`/digest list\` shows the schedules.`);
  }
}

async function schedule(i: ChatInputCommandInteraction, ctx: BotContext, digests: Digests): Promise<void> {
  requireManager(i, 'schedule digests');
  const checked = checkScheduleInput({ cron: i.options.getString('cron', true), timezone: i.options.getString('timezone'), window: i.options.getString('window') }, ctx.now());
  if (!checked.ok) throw new UserFacingError(checked.problems.join('\n'));
  const channel = i.options.getChannel('channel', true);
  let saved;
  try {
    saved = await digests.schedule({ ...checked.value, guildId: i.guildId!, channelId: channel.id, by: i.user.id });
  } catch (e) {
    if (e instanceof DigestLimitError) throw new UserFacingError(`A server can have at most ${MAX_SCHEDULES_PER_GUILD} digest schedules: remove one with \`/digest remove\` first.`);
    throw e;
  }
  ctx.log.info({ scheduleId: saved.id, guildId: saved.guildId, channelId: saved.channelId, cron: saved.cron, timezone: saved.timezone, by: i.user.id }, 'digest scheduled');
  await i.reply({
    content:
      `✅ Digest \`${saved.id}\` scheduled in <#${saved.channelId}>: \`${saved.cron}\` (${saved.timezone}), covering the last ${formatWindow(saved.windowMs)}.` +
      (saved.nextAt !== null ? ` Next: ${formatTime(saved.nextAt, saved.timezone)}.` : ''),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

async function list(i: ChatInputCommandInteraction, digests: Digests): Promise<void> {
  const schedules = await digests.list(i.guildId!);
  const lines = schedules.map(
    (s) =>
      `\`${s.id}\` · <#${s.channelId}> · \`${s.cron}\` ${s.timezone} · last ${formatWindow(s.windowMs)}` +
      (s.nextAt !== null ? ` · next ${formatTime(s.nextAt, s.timezone)}` : ' · never fires again'),
  );
  await i.reply({
    content: lines.length ? `**Digest schedules**\n${lines.join('\n')}` : `No digests are scheduled here. Someone with **Manage Server** can run \`/digest schedule cron:"0 9 * * 1-5" channel:#ml-runs\`.`,
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

async function remove(i: ChatInputCommandInteraction, ctx: BotContext, digests: Digests): Promise<void> {
  requireManager(i, 'remove digest schedules');
  const id = i.options.getString('id', true).trim();
  if (!(await digests.remove(i.guildId!, id))) throw new UserFacingError(`No digest schedule \`${id.replace(/`/g, "'")}\` in this server: \`/digest list\` shows the ids.`);
  ctx.log.info({ scheduleId: id, guildId: i.guildId, by: i.user.id }, 'digest schedule removed');
  await i.reply({ content: `🗑️ Digest schedule \`${id}\` removed.`, flags: MessageFlags.Ephemeral });
}

async function now(i: ChatInputCommandInteraction, digests: Digests): Promise<void> {
  const window = parseWindow(i.options.getString('window') ?? DEFAULT_WINDOW);
  if (!window.ok) throw new UserFacingError(window.problems.join('\n'));
  // First thing after validation: a digest reads many runs and Discord drops an interaction unanswered for 3 s.
  await i.deferReply();
  const m = digestMessage(await digests.now(i.guildId!, window.value));
  await i.editReply({
    content: m.content ?? '',
    embeds: m.embeds,
    files: m.files.map((f) => ({ attachment: f.data, name: f.name })),
    allowedMentions: m.allowedMentions,
  });
}
