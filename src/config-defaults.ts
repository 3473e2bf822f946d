/**
 * The configuration without zod, for a process whose environment sets no configuration variable (most CLI calls):
 * loading zod and building config.ts's schemas costs a CLI command about 60 ms, while the answer is known in advance.
 * CONFIG_DEFAULTS is what `loadConfig({})` returns and CONFIG_ENV names each key's variable; test/config.test.ts
 * checks both against config.ts's VARIABLES, so the two cannot drift apart. When any variable is set, readConfig
 * loads config.ts and validates everything as before (same values, same ConfigError).
 */
import type { Config } from './config.ts';

/** Each configuration key's environment variable, in config.ts's VARIABLES order. */
export const CONFIG_ENV: { readonly [K in keyof Config]: string } = {
  dbPath: 'RUNMEDIC_DB',
  databaseUrl: 'DATABASE_URL',
  logLevel: 'LOG_LEVEL',
  discordToken: 'DISCORD_TOKEN',
  discordAppId: 'DISCORD_APP_ID',
  discordGuildId: 'DISCORD_GUILD_ID',
  discordApiBase: 'DISCORD_API_BASE',
  httpHost: 'HTTP_HOST',
  httpPort: 'HTTP_PORT',
  httpMaxBodyBytes: 'HTTP_MAX_BODY_BYTES',
  httpRatePerSecond: 'HTTP_RATE_PER_SECOND',
  httpRateBurst: 'HTTP_RATE_BURST',
  httpAnonRatePerSecond: 'HTTP_ANON_RATE_PER_SECOND',
  httpAnonRateBurst: 'HTTP_ANON_RATE_BURST',
  httpHeadersTimeoutMs: 'HTTP_HEADERS_TIMEOUT_MS',
  httpRequestTimeoutMs: 'HTTP_REQUEST_TIMEOUT_MS',
  httpIdleTimeoutMs: 'HTTP_IDLE_TIMEOUT_MS',
  httpMaxConnections: 'HTTP_MAX_CONNECTIONS',
  stallAfterMinutes: 'STALL_AFTER_MINUTES',
  ingestMaxBytes: 'INGEST_MAX_BYTES',
  ingestMaxRunsPerFile: 'INGEST_MAX_RUNS_PER_FILE',
  trainRoleId: 'TRAIN_ROLE_ID',
  jobConcurrency: 'JOB_CONCURRENCY',
  botShards: 'BOT_SHARDS',
  shardIds: 'SHARD_IDS',
};

/** `loadConfig({})`, written out: every key present (undefined where the variable is optional), frozen. */
export const CONFIG_DEFAULTS: Config = Object.freeze({
  dbPath: './runmedic.db',
  databaseUrl: undefined,
  logLevel: 'info',
  discordToken: undefined,
  discordAppId: undefined,
  discordGuildId: undefined,
  discordApiBase: undefined,
  httpHost: '127.0.0.1',
  httpPort: 8787,
  httpMaxBodyBytes: 4 * 1024 * 1024,
  httpRatePerSecond: 50,
  httpRateBurst: 200,
  httpAnonRatePerSecond: 2,
  httpAnonRateBurst: 30,
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 60_000,
  httpIdleTimeoutMs: 5_000,
  httpMaxConnections: 256,
  stallAfterMinutes: 30,
  ingestMaxBytes: 256 * 1024 * 1024,
  ingestMaxRunsPerFile: 1000,
  trainRoleId: undefined,
  jobConcurrency: 1,
  botShards: undefined,
  shardIds: undefined,
} satisfies Config);

/** Whether the environment sets any configuration variable; blank values count as unset, as loadConfig reads them. */
export function configInputGiven(env: Record<string, string | undefined>): boolean {
  return Object.values(CONFIG_ENV).some((name) => (env[name]?.trim() ?? '') !== '');
}

/**
 * The configuration of this environment: CONFIG_DEFAULTS when no variable is set, else config.ts's loadConfig
 * (loaded here, on demand), which validates every variable and throws ConfigError naming the bad ones.
 */
export async function readConfig(env: Record<string, string | undefined>): Promise<Config> {
  if (!configInputGiven(env)) return CONFIG_DEFAULTS;
  const { loadConfig } = await import('./config.ts');
  return loadConfig(env);
}
