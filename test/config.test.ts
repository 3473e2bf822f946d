import { describe, expect, it } from 'vitest';
import { botSharding, ConfigError, CONFIG_ENV_NAMES, loadConfig } from '../src/config.ts';
import { CONFIG_DEFAULTS, CONFIG_ENV, configInputGiven, readConfig } from '../src/config-defaults.ts';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './support/real-logs.ts';
import path from 'node:path';

describe('loadConfig', () => {
  it('applies defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c.dbPath).toBe('./runmedic.db');
    expect(c.logLevel).toBe('info');
    expect(c.httpHost).toBe('127.0.0.1');
    expect(c.httpPort).toBe(8787);
    expect(c.discordToken).toBeUndefined();
  });

  it('reads and coerces values, treating blank as unset', () => {
    const c = loadConfig({ RUNMEDIC_DB: '/data/x.db', HTTP_PORT: '9000', LOG_LEVEL: 'debug', DISCORD_GUILD_ID: '123456789012345678', DISCORD_TOKEN: '' });
    expect(c).toMatchObject({ dbPath: '/data/x.db', httpPort: 9000, logLevel: 'debug', discordGuildId: '123456789012345678' });
    expect(c.discordToken).toBeUndefined();
  });

  it('names every bad variable and what was expected, without echoing the value', () => {
    let err: unknown;
    try {
      loadConfig({ HTTP_PORT: '99999', LOG_LEVEL: 'loud', RUNMEDIC_DB: 'dir/', DISCORD_TOKEN: 'has space secret' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toContain('HTTP_PORT: expected a TCP port (1–65535)');
    expect(problems.some((p) => p.startsWith('LOG_LEVEL: expected one of'))).toBe(true);
    expect(problems.some((p) => p.startsWith('RUNMEDIC_DB: expected a file path'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DISCORD_TOKEN: expected'))).toBe(true);
    expect((err as Error).message).not.toContain('secret');
  });

  it('reads bot sharding: BOT_SHARDS alone runs every shard here, SHARD_IDS picks some', () => {
    expect(botSharding(loadConfig({}))).toBeNull();
    expect(botSharding(loadConfig({ BOT_SHARDS: '3' }))).toEqual({ count: 3, ids: [0, 1, 2] });
    expect(botSharding(loadConfig({ BOT_SHARDS: '4', SHARD_IDS: ' 3, 1 ' }))).toEqual({ count: 4, ids: [3, 1] });
  });

  it('refuses shard ids that are not shards of BOT_SHARDS, naming the id and the range expected', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
      }
      return [];
    };
    expect(problems({ BOT_SHARDS: '2', SHARD_IDS: '0,2' })).toEqual(['SHARD_IDS: 2 is not below BOT_SHARDS=2: expected shard ids from 0 to 1']);
    expect(problems({ BOT_SHARDS: '1', SHARD_IDS: '1,3' })).toEqual(['SHARD_IDS: 1, 3 are not below BOT_SHARDS=1: expected the only shard id, 0']);
    expect(problems({ SHARD_IDS: '0' })).toEqual(['SHARD_IDS: expected BOT_SHARDS to be set too (the total number of shards the ids count in)']);
    expect(problems({ BOT_SHARDS: '2', SHARD_IDS: '0;1' })[0]).toMatch(/^SHARD_IDS: expected a comma-separated list of distinct shard ids/);
    expect(problems({ BOT_SHARDS: '2', SHARD_IDS: '1,1' })[0]).toMatch(/^SHARD_IDS: expected a comma-separated list of distinct shard ids/);
    expect(problems({ BOT_SHARDS: '0' })[0]).toMatch(/^BOT_SHARDS: expected the total number of bot shards/);
  });

  it('.env.example documents every variable config reads', () => {
    const example = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
    for (const name of CONFIG_ENV_NAMES) expect(example).toMatch(new RegExp(`^#?\\s*${name}=`, 'm'));
  });
});

// The CLI skips zod when no variable is set (src/config-defaults.ts): its written-out defaults must be loadConfig's.
describe('readConfig and the zod-free defaults', () => {
  it('CONFIG_DEFAULTS is exactly loadConfig({}): the same keys in the same order, the same values, frozen', () => {
    const loaded = loadConfig({});
    expect(CONFIG_DEFAULTS).toStrictEqual(loaded);
    expect(Object.keys(CONFIG_DEFAULTS)).toEqual(Object.keys(loaded));
    expect(Object.isFrozen(CONFIG_DEFAULTS)).toBe(true);
  });

  it("CONFIG_ENV names each key's variable as config.ts's VARIABLES do", () => {
    expect(Object.keys(CONFIG_ENV)).toEqual(Object.keys(loadConfig({})));
    expect(Object.values(CONFIG_ENV)).toEqual(CONFIG_ENV_NAMES);
  });

  it('without any variable (blank counts as unset) it is the defaults; with any, it is loadConfig', async () => {
    const blank = Object.fromEntries(CONFIG_ENV_NAMES.map((n) => [n, ' ']));
    expect(configInputGiven({ PATH: '/usr/bin', HOME: '/root' })).toBe(false);
    expect(configInputGiven(blank)).toBe(false);
    expect(await readConfig({})).toBe(CONFIG_DEFAULTS);
    expect(await readConfig({ ...blank, LOG_LEVEL: '' })).toBe(CONFIG_DEFAULTS);
    for (const name of CONFIG_ENV_NAMES) expect(configInputGiven({ [name]: 'x' })).toBe(true);
    const env = { RUNMEDIC_DB: '/data/x.db', HTTP_PORT: '9000', BOT_SHARDS: '2' };
    expect(await readConfig(env)).toStrictEqual(loadConfig(env));
  });

  it('a bad variable is the same ConfigError as loadConfig gives', async () => {
    const env = { HTTP_PORT: 'eighty', LOG_LEVEL: 'loud' };
    const err = await readConfig(env).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual(['LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent', 'HTTP_PORT: expected a TCP port (1–65535)']);
  });
});
