/**
 * The process configuration, read from the environment once (in main.ts / cli.ts) and passed down.
 * To add a variable: add ONE line to VARIABLES below (config key, env name, zod schema, what is expected),
 * then document it in .env.example.
 */
import { z } from 'zod';

interface Variable<S extends z.ZodType> {
  env: string;
  schema: S;
  /** Human wording for the error message: "HTTP_PORT: expected a TCP port (1–65535)". */
  expected: string;
}

function variable<S extends z.ZodType>(env: string, schema: S, expected: string): Variable<S> {
  return { env, schema, expected };
}

const snowflake = z.string().regex(/^\d{5,25}$/);
const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const filePath = z.string().min(1).refine((s) => !s.includes('\0') && !s.endsWith('/'));
/** Discord recommends about one shard per 1,000 servers: 10,000 is far past any bot, and a typo cannot open 10^9 sockets. */
const MAX_SHARDS = 10_000;
const shardIdList = z
  .string()
  .regex(/^\d{1,5}(\s*,\s*\d{1,5})*$/)
  .transform((s) => s.split(',').map((id) => Number(id.trim())))
  .refine((ids) => new Set(ids).size === ids.length);

const VARIABLES = {
  dbPath: variable('RUNMEDIC_DB', filePath.default('./runmedic.db'), 'a file path for the SQLite database'),
  databaseUrl: variable(
    'DATABASE_URL',
    z.string().regex(/^postgres(ql)?:\/\/\S+$/i).refine((s) => URL.canParse(s)).optional(),
    'a postgres://user:password@host:5432/database URL (unset: the SQLite file RUNMEDIC_DB)',
  ),
  logLevel: variable(
    'LOG_LEVEL',
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    'one of fatal, error, warn, info, debug, trace, silent',
  ),
  discordToken: variable('DISCORD_TOKEN', z.string().regex(/^\S+$/).optional(), 'a Discord bot token (no spaces)'),
  discordAppId: variable('DISCORD_APP_ID', snowflake.optional(), 'a Discord application id (digits)'),
  discordGuildId: variable('DISCORD_GUILD_ID', snowflake.optional(), 'a Discord server (guild) id (digits)'),
  discordApiBase: variable('DISCORD_API_BASE', z.url().optional(), 'an http(s) URL'),
  httpHost: variable('HTTP_HOST', z.string().min(1).default('127.0.0.1'), 'a host name or IP address to listen on'),
  httpPort: variable('HTTP_PORT', port.default(8787), 'a TCP port (1–65535)'),
  httpMaxBodyBytes: variable('HTTP_MAX_BODY_BYTES', positiveInt.default(4 * 1024 * 1024), 'a positive whole number of bytes'),
  httpRatePerSecond: variable('HTTP_RATE_PER_SECOND', positiveInt.default(50), 'a positive whole number of requests per second per token'),
  httpRateBurst: variable('HTTP_RATE_BURST', positiveInt.default(200), 'a positive whole number of requests'),
  httpAnonRatePerSecond: variable('HTTP_ANON_RATE_PER_SECOND', positiveInt.default(2), 'a positive whole number of requests per second per client address'),
  httpAnonRateBurst: variable('HTTP_ANON_RATE_BURST', positiveInt.default(30), 'a positive whole number of requests'),
  httpHeadersTimeoutMs: variable('HTTP_HEADERS_TIMEOUT_MS', z.coerce.number().int().min(1000).max(600_000).default(10_000), 'a whole number of milliseconds from 1000 to 600000'),
  httpRequestTimeoutMs: variable('HTTP_REQUEST_TIMEOUT_MS', z.coerce.number().int().min(1000).max(3_600_000).default(60_000), 'a whole number of milliseconds from 1000 to 3600000'),
  httpIdleTimeoutMs: variable('HTTP_IDLE_TIMEOUT_MS', z.coerce.number().int().min(1000).max(600_000).default(5_000), 'a whole number of milliseconds from 1000 to 600000'),
  httpMaxConnections: variable('HTTP_MAX_CONNECTIONS', positiveInt.max(1_000_000).default(256), 'a positive whole number of open connections'),
  stallAfterMinutes: variable('STALL_AFTER_MINUTES', positiveInt.default(30), 'a positive whole number of minutes'),
  ingestMaxBytes: variable('INGEST_MAX_BYTES', positiveInt.default(256 * 1024 * 1024), 'a positive whole number of bytes'),
  ingestMaxRunsPerFile: variable('INGEST_MAX_RUNS_PER_FILE', positiveInt.max(10_000).default(1000), 'a whole number of runs from 1 to 10000'),
  trainRoleId: variable('TRAIN_ROLE_ID', snowflake.optional(), 'a Discord role id (digits)'),
  jobConcurrency: variable('JOB_CONCURRENCY', z.coerce.number().int().min(0).default(1), 'a whole number of training jobs run at once (0: only `runmedic worker` processes train)'),
  botShards: variable('BOT_SHARDS', positiveInt.max(MAX_SHARDS).optional(), `the total number of bot shards over every bot process (1–${MAX_SHARDS}; unset: one process runs the only shard)`),
  shardIds: variable('SHARD_IDS', shardIdList.optional(), 'a comma-separated list of distinct shard ids this process runs, such as 0,1 (unset: every shard of BOT_SHARDS)'),
} as const;

type Variables = typeof VARIABLES;
export type Config = { readonly [K in keyof Variables]: z.output<Variables[K]['schema']> };

/** The names of every environment variable the program reads, for .env.example checks and --help. */
export const CONFIG_ENV_NAMES: readonly string[] = Object.values(VARIABLES).map((v) => v.env);

/** A wrong environment value; `problems` holds one "NAME: expected …" line per bad variable. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError;
}

/**
 * Validates the environment. Pure: pass `process.env` at the edge. Empty strings count as unset, so a
 * copied .env.example with blank values still works. Throws ConfigError naming every bad variable at once.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, v] of Object.entries(VARIABLES)) {
    const raw = env[v.env];
    const value = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
    const parsed = (v.schema as z.ZodType).safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    // Never echo the value: it may be a secret.
    else problems.push(`${v.env}: expected ${v.expected}`);
  }
  if (!problems.length) problems.push(...shardingProblems(out.botShards as number | undefined, out.shardIds as number[] | undefined));
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(out) as Config;
}

/**
 * SHARD_IDS only means something against BOT_SHARDS: each id must be one of its shards. Shard ids are no secret, so
 * the message names the offending one. Checked with zod like every variable, once both parsed.
 */
const shardingSchema = z
  .object({ botShards: z.number().optional(), shardIds: z.array(z.number()).optional() })
  .superRefine(({ botShards, shardIds }, ctx) => {
    if (!shardIds) return;
    if (botShards === undefined) {
      ctx.addIssue({ code: 'custom', message: 'SHARD_IDS: expected BOT_SHARDS to be set too (the total number of shards the ids count in)' });
      return;
    }
    const outside = shardIds.filter((id) => id >= botShards);
    if (outside.length) {
      const range = botShards === 1 ? 'the only shard id, 0' : `shard ids from 0 to ${botShards - 1}`;
      ctx.addIssue({ code: 'custom', message: `SHARD_IDS: ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not below BOT_SHARDS=${botShards}: expected ${range}` });
    }
  });

function shardingProblems(botShards: number | undefined, shardIds: number[] | undefined): string[] {
  const r = shardingSchema.safeParse({ botShards, shardIds });
  return r.success ? [] : r.error.issues.map((i) => i.message);
}

/** The shards this bot process runs, or null when the bot is not sharded (BOT_SHARDS unset: one shard, this process). */
export function botSharding(config: Pick<Config, 'botShards' | 'shardIds'>): { count: number; ids: number[] } | null {
  if (config.botShards === undefined) return null;
  return { count: config.botShards, ids: config.shardIds ?? Array.from({ length: config.botShards }, (_, i) => i) };
}
