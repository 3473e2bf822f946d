/**
 * `runmedic serve --api-only`: the HTTP push API without Discord, until SIGINT/SIGTERM. On SQLite verdicts are kept
 * and nobody is pinged; on a shared PostgreSQL (DATABASE_URL) it is one of several API replicas: pings go to the
 * outbox the bot processes deliver, and batches of one run are locked across replicas.
 */
import type { CliCommand } from './command.ts';
import { UsageError } from './usage-error.ts';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the HTTP push API without the Discord bot (HTTP_HOST, HTTP_PORT)',
  args: '--api-only',
  maxArgs: 0,
  // A server runs for days: its start, 5xx and shutdown belong in the log without anyone setting LOG_LEVEL.
  defaultLogLevel: 'info',
  options: {
    'api-only': { type: 'boolean', description: 'only the API (the bot and its pings need `npm start`)' },
  },
  async run(ctx, { values }) {
    if (!values['api-only']) throw new UsageError('serve runs the API alone: pass --api-only (use `npm start` for the bot and the API together)', 'serve');
    const stores = await ctx.openStores!();
    const runs = stores.runs;
    let http;
    try {
      // Loaded here: the API server and the engine it uses should not slow down every other subcommand.
      const { startHttpApi } = await import('../http/start-http-api.ts');
      // On a shared PostgreSQL the replicas' pings go to the outbox the bot processes deliver; a lone SQLite API keeps
      // verdicts only (no bot reads its file).
      const alerts = stores.backend === 'postgres' ? new (await import('../alerts/alert-service.ts')).AlertService(stores.alerts) : null;
      http = await startHttpApi({
        config: ctx.config,
        runs,
        push: stores.push,
        health: () => stores.health(),
        alerts,
        log: ctx.log,
        ...(stores.sharedLock ? { sharedLock: stores.sharedLock } : {}),
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code) {
        ctx.err(`runmedic: cannot listen on ${ctx.config.httpHost}:${ctx.config.httpPort} (${code}); set HTTP_HOST/HTTP_PORT`);
        return 2;
      }
      throw e;
    }
    ctx.err(`runmedic API on ${http.api.url} (database ${ctx.dbPath}); Ctrl-C stops it`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    ctx.log.info({ signal }, 'shutting down');
    await http.stop();
  },
};
