/** `runmedic token create|list|revoke`: API tokens for the push API, made for one Discord server (guild). */
import { createApiToken, listApiTokens, revokeApiToken } from '../app/api-tokens.ts';
import type { CliCommand } from './command.ts';
import { formatTable, formatTime, toJson } from './format.ts';
import { UsageError } from './usage-error.ts';

const ACTIONS = ['create', 'list', 'revoke'] as const;

export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'create, list or revoke API tokens for the HTTP push API',
  args: 'create [name] --guild G | list [--guild G] | revoke <id>',
  minArgs: 1,
  maxArgs: 2,
  options: {
    guild: { type: 'string', valueName: 'G', description: 'the Discord server (guild) id the token belongs to' },
    json: { type: 'boolean', description: 'print JSON' },
  },
  async run(ctx, { positionals, values }) {
    const [action, arg] = positionals as [string, string | undefined];
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown action "${action}": expected ${ACTIONS.join(', ')}`, 'token');
    const guild = values.guild as string | undefined;
    if (guild !== undefined && !/^\d{5,25}$/.test(guild)) throw new UsageError(`--guild: expected a Discord server id (digits), got "${guild}"`, 'token');
    {
      const store = await ctx.openPushStore!();
      if (action === 'create') {
        if (!guild) throw new UsageError('token create: --guild is required (the Discord server the runs will belong to)', 'token');
        const { token, record } = await createApiToken(store, { guildId: guild, name: arg, by: 'cli' }, Date.now());
        if (values.json) ctx.out(toJson({ id: record.id, name: record.name, guildId: record.guildId, token }));
        else ctx.out(token);
        ctx.err(`token ${record.id} ("${record.name}") for guild ${guild}: copy it now, it is not shown again. Send it as "Authorization: Bearer <token>".`);
        return;
      }
      if (action === 'revoke') {
        if (!arg) throw new UsageError('token revoke: expected the token id (t_…, see `runmedic token list`)', 'token');
        if (!(await revokeApiToken(store, arg, Date.now()))) {
          ctx.err(`runmedic: no live token with id "${arg}" (see \`runmedic token list\`)`);
          return 2;
        }
        ctx.err(`token ${arg} revoked: requests with it now get 401`);
        return;
      }
      if (arg) throw new UsageError('token list takes no argument (use --guild to filter)', 'token');
      const tokens = await listApiTokens(store, guild);
      // Never the hash: nothing a list prints helps guess a token.
      const rows = tokens.map((t) => ({ id: t.id, name: t.name, guildId: t.guildId, createdAt: t.createdAt, revokedAt: t.revokedAt, lastUsedAt: t.lastUsedAt }));
      if (values.json) {
        ctx.out(toJson(rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString(), revokedAt: r.revokedAt && new Date(r.revokedAt).toISOString(), lastUsedAt: r.lastUsedAt && new Date(r.lastUsedAt).toISOString() }))));
        return;
      }
      if (!rows.length) {
        ctx.err('no API tokens: make one with `runmedic token create <name> --guild <id>`');
        return;
      }
      for (const line of formatTable(
        ['ID', 'NAME', 'GUILD', 'CREATED (UTC)', 'STATUS'],
        rows.map((r) => [r.id, r.name, r.guildId, formatTime(r.createdAt), r.revokedAt ? `revoked ${formatTime(r.revokedAt)}` : 'live']),
      ))
        ctx.out(line);
    }
  },
};
