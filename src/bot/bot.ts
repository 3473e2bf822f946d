/**
 * The running bot: logs the client in, routes interactions to commands/, and delivers the alert outbox through
 * Discord. `stop()` leaves undelivered alerts in the store for the next start.
 */
import { Events, type Client } from 'discord.js';
import { OutboxDispatcher } from '../alerts/outbox-dispatcher.ts';
import type { BotCommand, BotContext } from './command.ts';
import { loadCommands } from './command-loader.ts';
import { createDiscordClient } from './create-client.ts';
import { DiscordNotifier } from './discord-notifier.ts';
import { routeInteraction } from './interaction-router.ts';
import { resumeJobReports } from './job-follower.ts';

export interface BotOptions extends Omit<BotContext, 'now'> {
  token: string;
  now?: () => number;
  commandsDir?: string;
  /** Retries inside discord.js's REST client (tests use 0). */
  restRetries?: number;
  /** How long to wait for the gateway's READY before giving up. */
  readyTimeoutMs?: number;
  outbox?: { baseBackoffMs?: number; maxBackoffMs?: number; pollMs?: number };
}

export interface RunningBot {
  client: Client;
  commands: Map<string, BotCommand>;
  dispatcher: OutboxDispatcher;
  stop(): Promise<void>;
}

/** Login failed for a reason the operator fixes in the environment; the message names what to set. */
export class BotLoginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BotLoginError';
  }
}

export async function startBot(opts: BotOptions): Promise<RunningBot> {
  const ctx: BotContext = {
    config: opts.config,
    log: opts.log,
    store: opts.store,
    alerts: opts.alerts,
    reporter: opts.reporter,
    now: opts.now ?? Date.now,
    ...(opts.jobs ? { jobs: opts.jobs } : {}),
    ...(opts.digests ? { digests: opts.digests } : {}),
    ...(opts.apiTokens ? { apiTokens: opts.apiTokens } : {}),
  };
  const commands = await loadCommands(opts.commandsDir);
  const client = createDiscordClient({ apiBase: opts.config.discordApiBase, retries: opts.restRetries ?? 1 });
  client.on(Events.InteractionCreate, (i) => void routeInteraction(i, commands, ctx));
  client.on(Events.Error, (err) => opts.log.error({ err }, 'discord client error'));
  client.on(Events.ShardDisconnect, (ev, shard) => opts.log.warn({ code: ev.code, shard }, 'gateway disconnected'));
  client.on(Events.ShardResume, (shard, replayed) => opts.log.info({ shard, replayed }, 'gateway resumed'));

  // Listen before login: READY can arrive before login() resolves.
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(opts.token);
    await withTimeout(ready, opts.readyTimeoutMs ?? 30_000);
  } catch (e) {
    await client.destroy().catch(() => undefined);
    throw loginError(e, opts.config.discordApiBase);
  }
  opts.log.info({ user: client.user?.tag, guilds: client.guilds.cache.size, commands: [...commands.keys()] }, 'bot ready');

  const dispatcher = new OutboxDispatcher({
    store: opts.alerts.store,
    notifier: new DiscordNotifier(client),
    log: opts.log,
    now: ctx.now,
    chartFor: async (runId) => (await opts.reporter.report(runId)).chartPng,
    ...opts.outbox,
  });
  opts.alerts.onEnqueued = () => dispatcher.kick();
  dispatcher.start();

  // Jobs queued before this start are followed again and ended ones nobody reported are reported, now that the
  // client can post. The queue starts here at the latest (it may have started already: start() is idempotent).
  if (ctx.jobs) {
    await resumeJobReports(client, ctx).then(
      (r) => (r.followed.length || r.reported.length) && opts.log.info(r, 'training jobs resumed after a start'),
      (err: unknown) => opts.log.error({ err }, 'could not resume training-job reports'),
    );
  }

  return {
    client,
    commands,
    dispatcher,
    async stop() {
      opts.alerts.onEnqueued = () => {};
      await dispatcher.stop();
      await client.destroy();
    },
  };
}

function loginError(e: unknown, apiBase: string | undefined): BotLoginError {
  const code = (e as { code?: string }).code;
  if (code === 'TokenInvalid') return new BotLoginError('DISCORD_TOKEN was rejected by Discord: set it to the bot token from the Developer Portal (Bot → Reset Token).');
  if (e instanceof TimeoutError) return new BotLoginError(`no READY from the Discord gateway within ${e.ms} ms: check DISCORD_TOKEN and DISCORD_API_BASE.`);
  const reason = e instanceof Error ? e.message : String(e);
  return new BotLoginError(`could not log in to Discord${apiBase ? ` at ${apiBase}` : ''} (${reason}): check DISCORD_TOKEN and DISCORD_API_BASE.`);
}

class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(ms)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
