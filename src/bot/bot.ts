/**
 * The running bot: logs the client in, routes interactions to commands/, and delivers the alert outbox through
 * Discord. `stop()` leaves undelivered alerts in the store for the next start.
 */
import { Events, type Client } from 'discord.js';
import { OutboxDispatcher } from '../alerts/outbox-dispatcher.ts';
import { botSharding } from '../config.ts';
import type { BotCommand, BotContext } from './command.ts';
import { loadCommands } from './command-loader.ts';
import { createDiscordClient } from './create-client.ts';
import { DiscordNotifier } from './discord-notifier.ts';
import { routeInteraction } from './interaction-router.ts';
import { resumeJobReports } from './job-follower.ts';
import { attachThreadReader } from './thread-reader.ts';

export interface BotOptions extends Omit<BotContext, 'now'> {
  token: string;
  now?: () => number;
  commandsDir?: string;
  /** Retries inside discord.js's REST client (tests use 0). */
  restRetries?: number;
  /** How long to wait for the gateway's READY (of every shard this process runs) before giving up. */
  readyTimeoutMs?: number;
  outbox?: { baseBackoffMs?: number; maxBackoffMs?: number; pollMs?: number; exclusive?: <T>(fn: () => Promise<T>) => Promise<T | null> };
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
    ...(opts.threadReading ? { threadReading: opts.threadReading } : {}),
  };
  const commands = await loadCommands(opts.commandsDir);
  const shards = botSharding(opts.config) ?? undefined;
  // Discord lets one IDENTIFY through every 5 s per bucket: a process running several shards is ready that much later.
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000 + 6_000 * Math.max(0, (shards?.ids.length ?? 1) - 1);
  const connect = async (readMessages: boolean): Promise<Client> => {
    const client = createDiscordClient({ apiBase: opts.config.discordApiBase, retries: opts.restRetries ?? 1, readMessages, ...(shards ? { shards } : {}) });
    client.on(Events.InteractionCreate, (i) => void routeInteraction(i, commands, ctx));
    client.on(Events.Error, (err) => opts.log.error({ err }, 'discord client error'));
    client.on(Events.ShardDisconnect, (ev, shard) => opts.log.warn({ code: ev.code, shard }, 'gateway disconnected'));
    client.on(Events.ShardResume, (shard, replayed) => opts.log.info({ shard, replayed }, 'gateway resumed'));
    if (readMessages) attachThreadReader(client, ctx);
    // Listen before login: READY can arrive before login() resolves. A privileged intent the application may not
    // use closes the gateway with 4014 instead.
    const ready = new Promise<void>((resolve, reject) => {
      client.once(Events.ClientReady, () => resolve());
      client.on(Events.ShardDisconnect, (ev) => ev.code === DISALLOWED_INTENTS && reject(new DisallowedIntentsError()));
    });
    ready.catch(() => undefined);
    try {
      await client.login(opts.token);
      await withTimeout(ready, readyTimeoutMs);
    } catch (e) {
      await client.destroy().catch(() => undefined);
      // When the close comes before login() resolves, login rejects with @discordjs/ws's own error for it.
      if ((e as { code?: string }).code === 'DisallowedIntents' || /disallowed intents/i.test((e as Error)?.message ?? '')) throw new DisallowedIntentsError();
      throw e;
    }
    return client;
  };
  // Message content is asked for only when a server let runmedic read its run threads; without the intent enabled
  // in the Developer Portal the bot starts all the same, without reading them.
  let readsMessages = (await opts.threadReading?.anyEnabled()) ?? false;
  let client: Client;
  try {
    try {
      client = await connect(readsMessages);
    } catch (e) {
      if (!(e instanceof DisallowedIntentsError)) throw e;
      opts.log.warn(
        'a server turned on read-threads, but Discord refused the Message Content intent: enable it in the Developer Portal (your app → Bot → Privileged Gateway Intents → Message Content Intent) and restart; run threads are not read until then',
      );
      readsMessages = false;
      client = await connect(false);
    }
  } catch (e) {
    throw loginError(e, opts.config.discordApiBase);
  }
  ctx.readsMessages = () => readsMessages;
  opts.log.info(
    { user: client.user?.tag, guilds: client.guilds.cache.size, commands: [...commands.keys()], readsMessages, ...(shards ? { shards: shards.ids, shardCount: shards.count } : {}) },
    'bot ready',
  );

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

/** Gateway close code: the application asked for a privileged intent it is not allowed to use. */
const DISALLOWED_INTENTS = 4014;

class DisallowedIntentsError extends Error {
  constructor() {
    super('Discord refused a privileged intent (4014)');
  }
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
