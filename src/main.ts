/**
 * The composition root of the long-running service (`npm start`): configuration, logger, store, alerting and the
 * Discord bot. Other services (HTTP ingest, scheduler, jobs) are wired here too, next to the bot.
 * Operator mistakes (bad variable, missing or rejected token, unusable database) end with one line, no stack.
 */
import { existsSync } from 'node:fs';
import { botSharding, isConfigError, loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { openStores, type Stores } from './store/open-stores.ts';
import { isStoreOpenError } from './store/store-error.ts';
import { AlertService } from './alerts/alert-service.ts';
import { startHttpApi } from './http/start-http-api.ts';

/** Something the operator fixes; printed as one line. */
class StartupError extends Error {}

async function start(env: NodeJS.ProcessEnv): Promise<{ log: Logger; stop: () => Promise<void> }> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (isConfigError(e)) throw new StartupError(`runmedic: ${e.problems.join('; ')}`);
    throw e;
  }
  if (!config.discordToken) {
    throw new StartupError('runmedic: DISCORD_TOKEN is not set: set it to your bot token (Discord Developer Portal → your app → Bot → Reset Token).');
  }
  checkSharding(config);
  const log = createLogger({ level: config.logLevel, secrets: [config.discordToken] });
  // The heavy modules (discord.js, charts, TensorFlow.js) load only once the configuration is known good,
  // so a missing variable is reported in a moment rather than after seconds of imports.
  const [{ RunReporter }, { BotLoginError, startBot }, { TrainingJobs }, { storedRunContexts }, { RasteriserProcess }, { channelGuildId }] = await Promise.all([
    import('./app/run-report.ts'),
    import('./bot/bot.ts'),
    import('./app/training-jobs.ts'),
    import('./app/diagnose-run.ts'),
    import('./app/rasteriser-process.ts'),
    import('./bot/shard-ownership.ts'),
  ]);
  const { createDigests } = await import('./schedule/start-digests.ts');

  let stores: Stores;
  try {
    stores = await openStores({ databaseUrl: config.databaseUrl, dbPath: config.dbPath });
  } catch (e) {
    if (isStoreOpenError(e)) throw new StartupError(`runmedic: ${config.databaseUrl ? 'DATABASE_URL' : 'RUNMEDIC_DB'} ${e.message}`);
    throw e;
  }
  const store = stores.runs;
  const alerts = new AlertService(stores.alerts);
  const jobStore = stores.jobs;
  // Job-made runs are reported with their job's measured context, pushed runs with their declared one, as the API judges them.
  const pushStore = stores.push;
  // Charts are rasterised in a child process: a native abort in resvg then costs one chart, not the bot, the API and
  // the scheduler (rasteriser-process.ts; about 1 ms a chart).
  const rasteriser = new RasteriserProcess({ log: log.child({ component: 'charts' }) });
  const reporter = new RunReporter(store, { contexts: storedRunContexts({ jobs: jobStore, pushed: pushStore }), rasterise: rasteriser.rasterise, log });
  const jobs = new TrainingJobs({ jobs: jobStore, runs: store, rangeTests: stores.rangeTests, concurrency: config.jobConcurrency, afterVerdict: (v) => alerts.afterVerdict(v) });
  const digests = createDigests({ stores, runs: store, alerts, reporter, log });

  let bot;
  try {
    bot = await startBot({ config, log, store, alerts, reporter, jobs, digests: digests.digests, apiTokens: pushStore, threadReading: stores.threadReading, token: config.discordToken,
      // Bot shards sharing PostgreSQL: one delivers the outbox at a time (the others look again shortly).
      ...(stores.tryExclusive ? { outbox: { exclusive: <T>(fn: () => Promise<T>) => stores.tryExclusive!('alert-outbox', fn) } } : {}) });
  } catch (e) {
    await store.close();
    if (e instanceof BotLoginError) throw new StartupError(`runmedic: ${e.message}`);
    throw e;
  }
  // The push API beside the bot: its pings go through the same outbox the bot delivers.
  let httpApi;
  try {
    httpApi = await startHttpApi({
      config,
      runs: store,
      push: pushStore,
      health: () => stores.health(),
      ...(stores.sharedLock ? { sharedLock: stores.sharedLock } : {}),
      alerts,
      log,
      // Through REST, so a run may name a channel of a server another bot shard holds.
      channelGuild: (id) => channelGuildId(bot.client, id).catch(() => null),
    });
  } catch (e) {
    await bot.stop();
    await store.close();
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new StartupError(`runmedic: HTTP_HOST/HTTP_PORT ${config.httpHost}:${config.httpPort}: cannot listen (${code})`);
    throw e;
  }
  // Digests post through the client, so the scheduler starts once the bot is up; missed ones are posted now, once.
  const digestScheduler = await digests.start(bot.client);
  // The bot started the job queue once it was up (startBot → resumeJobReports): it followed queued jobs again and
  // reported in Discord the jobs a previous process left running. start() is idempotent; here they are only logged.
  for (const job of await jobs.start()) log.warn({ jobId: job.id, runId: job.runId }, 'training job interrupted by a restart');
  // Said once everything is up, missed digests posted included: what an operator (or a test) waits for.
  log.info({ db: stores.where, backend: stores.backend }, 'runmedic started');

  return {
    log,
    async stop() {
      await digestScheduler.stop();
      await httpApi.stop();
      await jobs.stop();
      await bot.stop();
      await rasteriser.close();
      await store.close();
    },
  };
}

/**
 * A bot split over processes (SHARD_IDS naming only some of BOT_SHARDS) is only exactly-once when the processes share
 * PostgreSQL, whose locks decide which process posts an alert or a digest; and none of them may train in process,
 * since a bot process starting marks in-process jobs left running as interrupted, the other processes' included.
 */
function checkSharding(config: Config): void {
  const shards = botSharding(config);
  if (!shards || shards.ids.length >= shards.count) return;
  const which = `SHARD_IDS=${shards.ids.join(',')} runs ${shards.ids.length} of BOT_SHARDS=${shards.count} shards here`;
  if (!config.databaseUrl) {
    throw new StartupError(`runmedic: ${which}: the processes running the others must share the database: set DATABASE_URL (postgres://…) in every one of them.`);
  }
  if (config.jobConcurrency > 0) {
    throw new StartupError(`runmedic: ${which}: set JOB_CONCURRENCY=0 and train with \`runmedic worker\` (a bot process starting marks the jobs other bot processes train as interrupted).`);
  }
}

// `.env` beside the checkout, when present, fills variables not already set (Node ≥ 20.12).
if (existsSync('.env') && typeof process.loadEnvFile === 'function') process.loadEnvFile('.env');

// Handlers first: a signal during start-up must still shut down cleanly, not kill the process mid-write.
let service: { log: Logger; stop: () => Promise<void> } | null = null;
let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  if (!service) process.exit(0);
  service.log.info({ signal }, 'shutting down');
  service.stop().then(
    () => process.exit(0),
    (err) => {
      service?.log.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

try {
  service = await start(process.env);
} catch (e) {
  if (e instanceof StartupError) {
    process.stderr.write(e.message + '\n');
    process.exit(1);
  }
  throw e;
}
