/** /token create [name] | list | revoke id: API tokens for the push API, per server (Manage Server only). */
import { MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../src/app/api-tokens.ts';
import { UserFacingError, type BotCommand, type BotContext } from '../src/bot/command.ts';

const command: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('token')
    .setDescription('API tokens that let training scripts stream metrics to runmedic (Manage Server)')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) =>
      s
        .setName('create')
        .setDescription('Make a token for this server; it is shown once, only to you')
        .addStringOption((o) => o.setName('name').setDescription('What the token is for (e.g. the lab machine)').setMaxLength(100).setRequired(false)),
    )
    .addSubcommand((s) => s.setName('list').setDescription("List this server's tokens (never the secrets)"))
    .addSubcommand((s) =>
      s
        .setName('revoke')
        .setDescription('Revoke a token: requests with it get 401 from now on')
        .addStringOption((o) => o.setName('id').setDescription('The token id (t_…), from /token list').setRequired(true)),
    ),

  async execute(i, ctx) {
    if (!i.inGuild()) throw new UserFacingError('Tokens belong to a server: use this command in a server.');
    // Checked here and not only by default permissions: server admins can override those per role.
    if (!i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      throw new UserFacingError('Only members with the **Manage Server** permission can manage API tokens.');
    }
    if (!ctx.apiTokens) throw new UserFacingError('The HTTP API is not running with this bot.');
    const sub = i.options.getSubcommand();
    if (sub === 'create') await create(i, ctx);
    else if (sub === 'revoke') await revoke(i, ctx);
    else await list(i, ctx);
  },
};

export default command;

async function create(i: ChatInputCommandInteraction<'cached' | 'raw'>, ctx: BotContext): Promise<void> {
  const name = i.options.getString('name') ?? undefined;
  const { token, record } = await createApiToken(ctx.apiTokens!, { guildId: i.guildId, name, by: i.user.id }, ctx.now());
  ctx.log.info({ tokenId: record.id, guildId: i.guildId, by: i.user.id }, 'API token created');
  await i.reply({
    content:
      `🔑 Token \`${record.id}\` (${record.name}). Copy it now: it is not shown again.\n\`\`\`\n${token}\n\`\`\`\n` +
      `Send it as \`Authorization: Bearer <token>\` (see examples/clients/). Revoke with \`/token revoke id:${record.id}\`.`,
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

async function revoke(i: ChatInputCommandInteraction<'cached' | 'raw'>, ctx: BotContext): Promise<void> {
  const id = i.options.getString('id', true).trim();
  // Only this server's tokens: another server's id is "not found" here.
  if (!(await revokeApiToken(ctx.apiTokens!, id, ctx.now(), i.guildId))) throw new UserFacingError(`No live token \`${id}\` in this server (see \`/token list\`).`);
  await i.reply({ content: `✅ Token \`${id}\` revoked.`, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

async function list(i: ChatInputCommandInteraction<'cached' | 'raw'>, ctx: BotContext): Promise<void> {
  const tokens = await listApiTokens(ctx.apiTokens!, i.guildId);
  const lines = tokens.map((t) => `\`${t.id}\` ${t.name} · ${t.revokedAt ? 'revoked' : 'live'} · made <t:${Math.floor(t.createdAt / 1000)}:d>`);
  await i.reply({ content: lines.length ? lines.join('\n').slice(0, 1900) : 'No API tokens yet: `/token create`.', flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}
